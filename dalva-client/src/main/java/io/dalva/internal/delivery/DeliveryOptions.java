package io.dalva.internal.delivery;

import io.dalva.client.internal.Defaults;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How a run's data is delivered: where it is spooled, how much it may hold, how requests
 * are batched and retried, how long shutdown may take.
 *
 * @param spoolDirectory the folder holding one journal folder per run; {@code null} keeps
 * the journal on the heap (lost with the process)
 * @param segmentBytes size of one journal segment file (the memory-mapped buffer)
 * @param maxSpoolBytes the most a run's undelivered journal may hold; beyond it events
 * are dropped and counted
 * @param maxBatchValues the most metric values sent in one request (a larger event is
 * split)
 * @param targetRequestTime how long one request should keep the server busy: requests are
 * sized to the server's measured time per value
 * @param backoff the delays between retries
 * @param syncInterval how often the journal is forced to the storage device
 * @param shutdownTimeout the most {@code finish()}/{@code close()} wait for delivery
 */
public record DeliveryOptions(Path spoolDirectory, int segmentBytes, long maxSpoolBytes, int maxBatchValues,
        Duration targetRequestTime, Backoff backoff, Duration syncInterval, Duration shutdownTimeout) {

    /**
     * The default spool folder ({@link Defaults#spoolDirectory()}, read when this class
     * loads).
     */
    public static final Path DEFAULT_SPOOL_DIRECTORY = Defaults.spoolDirectory();

    /** Every default, from {@link Defaults}. */
    public static final DeliveryOptions DEFAULT = new DeliveryOptions(DEFAULT_SPOOL_DIRECTORY,
            Defaults.SPOOL_SEGMENT_BYTES, Defaults.MAX_SPOOL_BYTES, Defaults.MAX_BATCH_VALUES,
            Defaults.TARGET_REQUEST_TIME, new Backoff(Defaults.RETRY_INITIAL, Defaults.RETRY_MAX),
            Defaults.SYNC_INTERVAL, Defaults.SHUTDOWN_TIMEOUT);

    public DeliveryOptions {
        Objects.requireNonNull(backoff, "backoff");
        if (segmentBytes < 4096) {
            throw new IllegalArgumentException("spool segment size must be at least 4096 bytes, got " + segmentBytes);
        }
        if (maxSpoolBytes < segmentBytes) {
            throw new IllegalArgumentException(
                    "max spool size " + maxSpoolBytes + " must be at least the segment size " + segmentBytes);
        }
        if (maxBatchValues < 1) {
            throw new IllegalArgumentException("max batch values must be positive, got " + maxBatchValues);
        }
        requirePositive(targetRequestTime, "target request time");
        requirePositive(syncInterval, "sync interval");
        Objects.requireNonNull(shutdownTimeout, "shutdownTimeout");
        if (shutdownTimeout.isNegative()) {
            throw new IllegalArgumentException("shutdown timeout must not be negative, got " + shutdownTimeout);
        }
    }

    private static void requirePositive(Duration duration, String name) {
        Objects.requireNonNull(duration, name);
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, got " + duration);
        }
    }
}
