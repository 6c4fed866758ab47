package io.dalva.micrometer;

import io.dalva.internal.logging.Log;
import io.dalva.run.DalvaRun;
import io.dalva.run.DeliveryStatus;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Says, at most once a minute, when the server falls behind the registry: more than two
 * steps of values wait in the run's spool and the oldest has waited more than two steps
 * (at least 10 s). Steps keep being taken meanwhile; they queue in the spool, bounded by
 * its size.
 */
final class DeliveryLag {

    private static final Log logger = Log.of(DeliveryLag.class);

    private static final long WARNING_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final Duration patience;

    private final long intervalNanos;

    private long lastWarning;

    DeliveryLag(Duration step) {
        this(max(step.multipliedBy(2), Duration.ofSeconds(10)), Duration.ofNanos(WARNING_INTERVAL_NANOS));
    }

    /**
     * @param patience how long the oldest waiting value may wait before a warning
     * @param interval the least time between two warnings
     */
    DeliveryLag(Duration patience, Duration interval) {
        this.patience = patience;
        this.intervalNanos = interval.toNanos();
        this.lastWarning = System.nanoTime() - intervalNanos;
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    /**
     * Checks after a step of {@code values} values was logged.
     * @return whether it warned
     */
    boolean check(DalvaRun run, int step, int values) {
        DeliveryStatus status = run.deliveryStatus();
        long waiting = status.undeliveredValues();
        if (values == 0 || waiting <= 2L * values || status.oldestUndeliveredWait().compareTo(patience) < 0) {
            return false;
        }
        long now = System.nanoTime();
        if (now - lastWarning < intervalNanos) {
            return false;
        }
        lastWarning = now;
        logger.warn(
                "{} is about {} steps behind at step {}: {} values wait in the spool, the oldest for {} s. "
                        + "The server stores them more slowly than the registry publishes them; a longer step "
                        + "(dalva.metrics.export.step) or a meter filter (dalva.metrics.export.include, .exclude) "
                        + "would let it keep up.",
                RegistryRun.describe(run), (waiting + values - 1) / values, step, waiting,
                status.oldestUndeliveredWait().toSeconds());
        return true;
    }

}
