package io.dalva.run;

import io.dalva.client.CallTimer;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * The child JVM of {@link DeliveryFaultsTest}: starts a run, logs the given number of
 * steps, prints {@code LOGGED <run id> <waits> <longest block, ns> <median, ns>} of its
 * {@code log()} calls and waits to be killed.
 */
public final class KilledRunMain {

    private KilledRunMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        String serverUrl = args[0];
        Path spool = Path.of(args[1]);
        int steps = Integer.parseInt(args[2]);
        DalvaRun run = DalvaRun.builder()
            .project("reliability")
            .serverUrl(serverUrl)
            .spoolDirectory(spool)
            .maxBatchValues(40)
            .retryBackoff(Duration.ofMillis(5), Duration.ofMillis(50))
            .start();
        CallTimer timer = new CallTimer();
        for (int step = 0; step < steps; step++) {
            Map<String, Object> metrics = Map.of("loss", step / 10.0, "accuracy", step / 1000.0);
            timer.begin();
            run.log(metrics, step);
            timer.end();
            LockSupport.parkNanos(DeliveryFaultsTest.STEP_PAUSE_NANOS);
        }
        System.out.println("LOGGED " + run.runId() + " " + timer.waits() + " " + timer.maxBlockedNanos() + " "
                + timer.wallPercentile(0.5) + " " + timer.summary());
        System.out.flush();
        Thread.sleep(60_000);
    }

}
