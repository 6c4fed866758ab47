package io.dalva.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.dalva.test.DalvaTestServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a child JVM with SIGKILL at random points while it logs steps as fast as it can
 * into 8 KiB segments (a new segment every ~80 steps) and the server answers slowly, then
 * replays its spool: every step whose {@code log()} returned is stored exactly once, with
 * no gap, in every iteration.
 */
class SigkillLoopTest {

    static final int ITERATIONS = 12;

    @TempDir
    Path tmp;

    DalvaTestServer server;

    @BeforeEach
    void startServer() {
        server = DalvaTestServer.start();
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    @Test
    void everyStepWhoseLogReturnedIsStoredExactlyOnceAfterAKillAndAReplay() throws Exception {
        SplittableRandom random = new SplittableRandom(Long.getLong("dalva.test.seed", System.nanoTime()));
        List<String> summary = new ArrayList<>();
        for (int iteration = 0; iteration < ITERATIONS; iteration++) {
            Path spool = tmp.resolve("spool-" + iteration);
            server.delayResponses(Duration.ofMillis(random.nextInt(0, 20)));
            long killAfterMillis = random.nextLong(150, 900);
            Killed killed = runAndKill(spool, killAfterMillis);
            long runDbId = server.runByRunId(killed.runId).orElseThrow().id();
            int before = server.series(runDbId, "loss").size();

            server.delayResponses(Duration.ZERO);
            List<String> progress = new ArrayList<>();
            DalvaSpool.Result result = DalvaSpool.replay(spool, null, Duration.ofSeconds(30), progress::add);

            String context = "iteration " + iteration + ", killed after " + killAfterMillis + " ms, last printed step "
                    + killed.lastLogged + ", replay: " + progress;
            assertThat(result.allDelivered()).as(context).isTrue();
            assertThat(result.remaining()).as(context).isZero();
            SortedMap<Integer, Object> loss = server.series(runDbId, "loss");
            int steps = loss.size();
            assertThat(steps).as(context).isGreaterThan(killed.lastLogged);
            assertThat(loss.keySet()).as(context).containsExactlyElementsOf(IntStream.range(0, steps).boxed().toList());
            assertThat(server.series(runDbId, "accuracy")).as(context).hasSize(steps);
            assertThat(server.storedValueCount(runDbId)).as(context).isEqualTo(2 * steps);
            assertThat(DeliveryFaultsTest.stepsInArrivalOrder(server, runDbId)).as(context).doesNotHaveDuplicates();
            assertThat(server.run(runDbId).orElseThrow().state()).as(context).isEqualTo("failed");
            assertThat(eventFiles(spool)).as(context).isEmpty();
            summary.add(killed.lastLogged + "/" + before + "/" + steps);
        }
        System.out.println("SigkillLoopTest (last printed step / stored before replay / stored after): " + summary);
    }

    record Killed(String runId, int lastLogged) {
    }

    Killed runAndKill(Path spool, long killAfterMillis) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                CrashLoopMain.class.getName(), server.url(), spool.toString(), "8192");
        builder.redirectErrorStream(true);
        Process child = builder.start();
        String runId = null;
        int lastLogged = -1;
        long killAt = Long.MAX_VALUE;
        try (BufferedReader out = new BufferedReader(
                new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                if (line.startsWith("RUN ")) {
                    runId = line.substring(4);
                    killAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(killAfterMillis);
                }
                else if (line.startsWith("LOGGED ")) {
                    lastLogged = Integer.parseInt(line.substring(7));
                }
                if (System.nanoTime() >= killAt) {
                    child.destroyForcibly(); // SIGKILL
                    break;
                }
            }
        }
        finally {
            child.destroyForcibly();
            assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(runId).as("the child's run id").isNotNull();
        assertThat(child.exitValue()).isEqualTo(137);
        return new Killed(runId, lastLogged);
    }

    static List<Path> eventFiles(Path spool) throws IOException {
        if (!Files.isDirectory(spool)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(spool)) {
            return files.filter(file -> file.toString().endsWith(".jsonl")).toList();
        }
    }

}
