package io.dalva.run;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * The child JVM of {@link TmpfsFullDiskTest}, run with its spool on a tmpfs too small for
 * what it logs: logs the given number of steps while the server is down, prints
 * {@code LOGGED <steps> THROWN <count>}, waits for a line on stdin (the server is back),
 * then flushes, prints {@code FLUSHED <true|false>} and finishes the run.
 */
public final class FullTmpfsMain {

    private FullTmpfsMain() {
    }

    public static void main(String[] args) throws Exception {
        DalvaRun run = DalvaRun.builder()
            .project("tmpfs")
            .serverUrl(args[0])
            .spoolDirectory(Path.of(args[1]))
            .spoolSegmentSize(64 * 1024)
            .connectTimeout(Duration.ofMillis(200))
            .retryBackoff(Duration.ofMillis(5), Duration.ofMillis(100))
            .start();
        int steps = Integer.parseInt(args[2]);
        int thrown = 0;
        for (int step = 0; step < steps; step++) {
            try {
                run.log(Map.of("loss", step / 10.0, "accuracy", step / 1000.0), step);
            }
            catch (Throwable e) {
                thrown++;
                System.out.println("THREW " + e);
            }
        }
        System.out.println("LOGGED " + steps + " THROWN " + thrown);
        System.out.flush();
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        System.out.println("FLUSHED " + run.flush(Duration.ofSeconds(60)) + " " + run.runId());
        run.close();
        System.out.flush();
    }

}
