package io.dalva.client;

import java.util.List;

/**
 * Thrown by {@link io.dalva.run.DalvaRun#flush(java.time.Duration)} and
 * {@link io.dalva.run.DalvaRun#finish()} when the server rejected values logged
 * asynchronously since the last report. Everything else was delivered (or is still
 * queued); {@link #failures()} says what was rejected and why.
 */
public final class DalvaDeliveryException extends DalvaException {

    private final List<DeliveryFailure> failures;

    private final long total;

    public DalvaDeliveryException(List<DeliveryFailure> failures, long total) {
        super(message(failures, total), 0);
        this.failures = List.copyOf(failures);
        this.total = total;
    }

    /** The rejected values (at most the first 1,000; {@link #total()} counts all). */
    public List<DeliveryFailure> failures() {
        return failures;
    }

    /** How many values were rejected. */
    public long total() {
        return total;
    }

    private static String message(List<DeliveryFailure> failures, long total) {
        StringBuilder message = new StringBuilder().append(total)
            .append(total == 1 ? " value was" : " values were")
            .append(" rejected by the Dalva server");
        int shown = Math.min(3, failures.size());
        for (int i = 0; i < shown; i++) {
            message.append(i == 0 ? ": " : "; ").append(failures.get(i));
        }
        if (total > shown) {
            message.append("; …");
        }
        return message.toString();
    }

}
