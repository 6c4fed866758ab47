package io.dalva.spring;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import io.dalva.test.DalvaTestServer;
import io.dalva.test.StoredRun;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Applications as processes: killed with SIGKILL mid-run, stopped with SIGTERM while the
 * server hangs, started against a server that accepts connections and never answers. The
 * child JVMs run {@link ChildApplication}.
 */
class ProcessLifecycleTests {

    private static DalvaTestServer server;

    @BeforeAll
    static void startServer() {
        server = DalvaTestServer.start();
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @Test
    void aKilledRunIsRecoveredByTheNextStartFailedWithEveryStep(@TempDir Path spools) throws Exception {
        for (int iteration = 0; iteration < 3; iteration++) {
            String project = "killed-" + iteration;
            Path spool = spools.resolve(project);
            String[] args = { "--spring.application.name=" + project, "--dalva.server-url=" + server.url(),
                    "--dalva.spool-directory=" + spool, "--dalva.metrics.export.step-mode=manual",
                    "--dalva.shutdown-timeout=20ms" };
            int killAt = ThreadLocalRandom.current().nextInt(5, 40);
            // the server answers late: steps pile up in the spool, undelivered at the
            // kill
            server.delayResponses(Duration.ofMillis(30));
            Process child = startChild("steps", args);
            long pid = child.pid();
            int lastStep;
            try {
                lastStep = readUntil(child, "stepped " + killAt).stream()
                    .filter((line) -> line.startsWith("stepped "))
                    .mapToInt((line) -> Integer.parseInt(line.substring("stepped ".length()).trim()))
                    .max()
                    .orElseThrow();
            }
            finally {
                child.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
                server.delayResponses(Duration.ZERO);
            }
            assertThat(lastStep).isEqualTo(killAt);
            try (ConfigurableApplicationContext ignored = startPlain(args)) {
                Await.until(() -> killedRun(project, pid) != null && killedRun(project, pid).state().equals("failed")
                        && killedRun(project, pid).config().containsKey("failure/reason"));
                StoredRun killed = killedRun(project, pid);
                assertThat(killed.config()).containsEntry("failure/reason", SpoolRecovery.REASON);
                String work = server.paths(killed.id())
                    .stream()
                    .filter((path) -> path.startsWith("work") && path.endsWith("count"))
                    .findFirst()
                    .orElseThrow();
                SortedMap<Integer, Object> steps = server.series(killed.id(), work);
                assertThat(steps.keySet()).as("every step up to the last one printed, no gap")
                    .containsSequence(IntStream.rangeClosed(0, lastStep).boxed().toList());
                assertThat(steps.lastKey()).isLessThanOrEqualTo(lastStep + 1);
                assertThat(steps.values()).allSatisfy((value) -> assertThat(value).isEqualTo(1.0));
            }
        }
    }

    @Test
    void sigtermWhileTheServerHangsStopsTheProcessWithinTheShutdownTimeout(@TempDir Path spool) throws Exception {
        try (HangingServer hanging = new HangingServer()) {
            Process child = startChild("idle", "--spring.application.name=sigterm-hanging",
                    "--dalva.server-url=" + hanging.url(), "--dalva.spool-directory=" + spool,
                    "--dalva.shutdown-timeout=3s", "--dalva.metrics.export.step=1s");
            try {
                readUntil(child, "started");
                Thread.sleep(1500);
                long start = System.nanoTime();
                child.destroy();
                assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
                Duration stop = Duration.ofNanos(System.nanoTime() - start);
                assertThat(stop).as("SIGTERM to exit, with a 3 s shutdown timeout")
                    .isLessThan(Duration.ofSeconds(3 + 2));
            }
            finally {
                child.destroyForcibly();
            }
        }
    }

    @Test
    void aHangingServerAddsUnderTwoSecondsToTheStartAndTheCloseIsBounded(@TempDir Path spool) throws Exception {
        String[] common = { "--dalva.spool-directory=" + spool, "--dalva.shutdown-timeout=2s" };
        // warm up, then the start without exporting is the baseline
        startPlain(with(common, "--dalva.metrics.export.enabled=false")).close();
        long start = System.nanoTime();
        startPlain(with(common, "--dalva.metrics.export.enabled=false")).close();
        Duration baseline = Duration.ofNanos(System.nanoTime() - start);
        try (HangingServer hanging = new HangingServer()) {
            start = System.nanoTime();
            ConfigurableApplicationContext context = startPlain(
                    with(common, "--dalva.server-url=" + hanging.url(), "--spring.application.name=hanging"));
            Duration started = Duration.ofNanos(System.nanoTime() - start);
            assertThat(started.minus(baseline)).as("start against a hanging server, baseline " + baseline)
                .isLessThan(Duration.ofSeconds(2));
            Await.until(() -> hanging.accepted() > 0);
            start = System.nanoTime();
            context.close();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("close with a 2 s shutdown timeout")
                .isLessThan(Duration.ofSeconds(2 + 2));
        }
    }

    @Test
    void noThreadOfOursIsLeftAfterTheApplicationCloses(@TempDir Path spool) throws Exception {
        Process child = startChild("threads", "--spring.application.name=threads", "--dalva.server-url=" + server.url(),
                "--dalva.spool-directory=" + spool);
        try {
            List<String> lines = readUntil(child, "leftover ");
            assertThat(lines.get(lines.size() - 1)).isEqualTo("leftover []");
            // ours end with the close; OkHttp's task runner and Okio's watchdog are
            // shared
            // daemons that end on their own once idle (a minute or two)
            assertThat(lines).filteredOn((line) -> line.startsWith("gone dalva-"))
                .allSatisfy((line) -> assertThat(Long.parseLong(line.substring(line.lastIndexOf(' ') + 1)))
                    .isLessThanOrEqualTo(5));
            assertThat(child.waitFor(20, TimeUnit.SECONDS)).isTrue();
        }
        finally {
            child.destroyForcibly();
        }
    }

    private StoredRun killedRun(String project, long pid) {
        return server.runs()
            .stream()
            .filter((run) -> run.project().equals(project))
            .filter((run) -> String.valueOf(pid).equals(String.valueOf(run.config().get("process.pid"))))
            .findFirst()
            .orElse(null);
    }

    private static String[] with(String[] common, String... more) {
        List<String> all = new ArrayList<>(List.of(common));
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }

    private static ConfigurableApplicationContext startPlain(String... args) {
        SpringApplication application = new SpringApplication(ChildApplication.Application.class);
        application.setWebApplicationType(WebApplicationType.NONE);
        return application.run(args);
    }

    private static Process startChild(String mode, String... args) throws IOException {
        List<String> command = new ArrayList<>(
                List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                        System.getProperty("java.class.path"), ChildApplication.class.getName(), mode));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    /**
     * Reads the child's output until a line starts with {@code prefix}; at most 4
     * minutes.
     */
    private static List<String> readUntil(Process child, String prefix) throws Exception {
        List<String> lines = new CopyOnWriteArrayList<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(
                    new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    lines.add(line);
                    if (line.startsWith(prefix)) {
                        return;
                    }
                }
            }
            catch (IOException ex) {
                // the child was killed
            }
        }, "child-output");
        reader.setDaemon(true);
        reader.start();
        reader.join(Duration.ofSeconds(240).toMillis());
        assertThat(lines).as("output of the child").anySatisfy((line) -> assertThat(line).startsWith(prefix));
        return lines;
    }

    /** Accepts connections and never answers, as a frozen server does. */
    static final class HangingServer implements AutoCloseable {

        private final ServerSocket socket;

        private final List<Socket> accepted = new CopyOnWriteArrayList<>();

        HangingServer() throws IOException {
            this.socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread acceptor = new Thread(() -> {
                while (!this.socket.isClosed()) {
                    try {
                        this.accepted.add(this.socket.accept());
                    }
                    catch (IOException ex) {
                        return;
                    }
                }
            }, "hanging-server");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        String url() {
            return "http://127.0.0.1:" + this.socket.getLocalPort();
        }

        int accepted() {
            return this.accepted.size();
        }

        @Override
        public void close() throws IOException {
            this.socket.close();
            for (Socket connection : this.accepted) {
                connection.close();
            }
        }

    }

}
