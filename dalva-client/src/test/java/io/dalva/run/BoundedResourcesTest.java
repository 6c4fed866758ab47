package io.dalva.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.dalva.test.DalvaTestServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 500 runs created and finished one after the other in one JVM, each with the default 1
 * MiB segments: a finished run releases its mappings, files and threads at once, so
 * nothing of the spool stays mapped or open and the resident set does not grow with the
 * number of runs. Counted from {@code /proc/self}, not timed.
 */
class BoundedResourcesTest {

    static final int RUNS = 500;

    @TempDir
    Path spool;

    DalvaTestServer server;

    @BeforeEach
    void startServer() {
        server = DalvaTestServer.start();
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    void runOnce(int index) {
        try (DalvaRun run = DalvaRun.builder()
            .project("bounded")
            .serverUrl(server.url())
            .spoolDirectory(spool)
            .shutdownTimeout(Duration.ofSeconds(10))
            .start()) {
            for (int step = 0; step < 20; step++) {
                run.log(Map.of("loss", index + step / 10.0), step);
            }
        }
    }

    @Test
    void fiveHundredFinishedRunsLeaveNoMappingOpenFileOrThreadBehind() throws IOException {
        for (int i = 0; i < 20; i++) { // warm up: classes, JIT, connection pools, heap
            runOnce(i);
        }
        long rssBefore = status("VmRSS:");
        long fileBefore = status("RssFile:");
        int threadsBefore = Thread.activeCount();
        int fdsBefore = openFiles().size();
        for (int i = 0; i < RUNS; i++) {
            runOnce(i);
            if (i % 100 == 99) {
                assertThat(spoolMappings()).as("spool files mapped after " + (i + 1) + " runs").isEmpty();
                assertThat(deletedButOpen()).as("deleted files still open after " + (i + 1) + " runs").isEmpty();
            }
        }
        long rssAfter = status("VmRSS:");
        long fileAfter = status("RssFile:");
        System.out.println("BoundedResourcesTest: RSS " + rssBefore / 1024 + " MiB before " + RUNS + " runs, "
                + rssAfter / 1024 + " MiB after (file-backed " + fileBefore / 1024 + " -> " + fileAfter / 1024
                + " MiB); open files " + fdsBefore + " -> " + openFiles().size() + "; threads " + threadsBefore + " -> "
                + Thread.activeCount());
        assertThat(spoolMappings()).isEmpty();
        assertThat(deletedButOpen()).isEmpty();
        assertThat(openFiles().size()).isLessThanOrEqualTo(fdsBefore + 10);
        assertThat(Thread.activeCount()).isLessThanOrEqualTo(threadsBefore + 5);
        // 500 runs map 1.5 GB of segments in all (three 1 MiB segments each, touched):
        // resident file-backed pages stay where they were; the heap may grow until GC
        assertThat(fileAfter - fileBefore).as("growth of file-backed RSS, KiB").isLessThan(32 * 1024);
        assertThat(rssAfter - rssBefore).as("RSS growth, KiB").isLessThan(256 * 1024);
        assertThat(server.runs()).hasSize(RUNS + 20);
        try (Stream<Path> left = Files.list(spool)) {
            assertThat(left).isEmpty();
        }
    }

    /** Lines of /proc/self/maps that map a file of the spool (deleted or not). */
    List<String> spoolMappings() throws IOException {
        return Files.readAllLines(Path.of("/proc/self/maps"))
            .stream()
            .filter(line -> line.contains(spool.toString()))
            .toList();
    }

    List<String> openFiles() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.map(fd -> {
                try {
                    return Files.readSymbolicLink(fd).toString();
                }
                catch (IOException e) {
                    return "";
                }
            }).toList();
        }
    }

    List<String> deletedButOpen() throws IOException {
        return openFiles().stream().filter(target -> target.endsWith("(deleted)")).toList();
    }

    /** A figure of /proc/self/status, in KiB. */
    static long status(String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith(field)) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException("no " + field + " in /proc/self/status");
    }

}
