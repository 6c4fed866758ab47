package io.dalva.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.dalva.test.DalvaTestServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real full file system: a child JVM in its own user and mount namespace
 * ({@code unshare -rm}, no root needed where the kernel allows it) logs 5 MB of steps
 * into a spool on a 2 MB tmpfs while the server is down. {@code log()} never throws, the
 * run goes on in memory with one warning naming the folder and the reason, and once the
 * server is back every step arrives exactly once. Where namespaces are not allowed, the
 * injected full disk of {@code JournalFullDiskTest} and {@code SpoolReplayTest} still
 * runs.
 */
class TmpfsFullDiskTest {

    static final int STEPS = 30_000;

    @TempDir
    Path mountPoint;

    DalvaTestServer server;

    @BeforeEach
    void startServer() {
        server = DalvaTestServer.start();
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    static boolean canMountTmpfs(Path where) throws InterruptedException {
        try {
            Process probe = new ProcessBuilder("unshare", "-rm", "sh", "-c",
                    "mount -t tmpfs -o size=1m tmpfs '" + where + "'")
                .redirectErrorStream(true)
                .start();
            return probe.waitFor(10, TimeUnit.SECONDS) && probe.exitValue() == 0;
        }
        catch (IOException e) {
            return false;
        }
    }

    @Test
    void aSpoolOnAFullTmpfsNeverReachesLogAndEveryStepArrivesOnce() throws Exception {
        assumeTrue(canMountTmpfs(mountPoint), "this machine does not let a test mount a tmpfs");
        server.stop();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String command = "mount -t tmpfs -o size=2m tmpfs '" + mountPoint + "' && exec '" + java + "' -cp '"
                + System.getProperty("java.class.path") + "' " + FullTmpfsMain.class.getName() + " " + server.url()
                + " '" + mountPoint + "' " + STEPS;
        Process child = new ProcessBuilder("unshare", "-rm", "sh", "-c", command).redirectErrorStream(true).start();
        List<String> output = new ArrayList<>();
        String runId = null;
        try (BufferedReader out = new BufferedReader(
                new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
                OutputStream in = child.getOutputStream()) {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                output.add(line);
                if (line.startsWith("LOGGED ")) {
                    server.restart();
                    in.write('\n');
                    in.flush();
                }
                if (line.startsWith("FLUSHED ")) {
                    runId = line.split(" ")[2];
                    assertThat(line).as(output.toString()).startsWith("FLUSHED true");
                }
            }
        }
        finally {
            assertThat(child.waitFor(90, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(child.exitValue()).as(output.toString()).isZero();
        assertThat(output).as(output.toString()).contains("LOGGED " + STEPS + " THROWN 0");
        assertThat(output.stream().filter(line -> line.contains("cannot be written")))
            .as("one warning naming the folder and the reason: " + output)
            .singleElement()
            .satisfies(line -> assertThat(line).contains(mountPoint.toString()).contains("No space left on device"));
        long runDbId = server.runByRunId(runId).orElseThrow().id();
        assertThat(server.series(runDbId, "loss").keySet())
            .containsExactlyElementsOf(IntStream.range(0, STEPS).boxed().toList());
        assertThat(server.storedValueCount(runDbId)).isEqualTo(2 * STEPS);
    }

}
