package io.dalva.run;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * The child JVM of {@link SigkillLoopTest}: starts a run with small spool segments and
 * logs steps until it is killed, printing {@code RUN <run id>} once and
 * {@code LOGGED <step>} every 50 steps, after that step's {@code log()} returned.
 */
public final class CrashLoopMain {

    private CrashLoopMain() {
    }

    public static void main(String[] args) {
        String serverUrl = args[0];
        Path spool = Path.of(args[1]);
        int segmentBytes = Integer.parseInt(args[2]);
        DalvaRun run = DalvaRun.builder()
            .project("crash")
            .serverUrl(serverUrl)
            .spoolDirectory(spool)
            .spoolSegmentSize(segmentBytes)
            .maxBatchValues(40)
            .retryBackoff(Duration.ofMillis(5), Duration.ofMillis(50))
            .start();
        System.out.println("RUN " + run.runId());
        System.out.flush();
        for (int step = 0; step < Integer.MAX_VALUE; step++) {
            run.log(Map.of("loss", step / 10.0, "accuracy", step / 1000.0), step);
            if (step % 50 == 0) {
                System.out.println("LOGGED " + step);
                System.out.flush();
            }
            if (step % 4 == 0) {
                LockSupport.parkNanos(20_000);
            }
        }
    }

}
