package io.dalva.run;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * A snapshot of a run's delivery to the server, for health checks: what is still waiting
 * in the spool, when an event was last delivered and why delivery last failed.
 *
 * @param undeliveredEvents journal events recorded but not delivered yet
 * @param undeliveredValues metric values logged by this process but not delivered yet
 * (exact while at most 65,536 events wait; beyond, events are counted in groups, and a
 * group counts until its last event is delivered)
 * @param oldestUndeliveredWait how long the oldest of those values has waited (zero when
 * none waits)
 * @param droppedEvents events dropped because the spool was full
 * @param lastSuccess when an event was last delivered, or {@code null} before the first
 * @param lastError why delivery last failed (retried or rejected), or {@code null} when
 * it never failed
 */
public record DeliveryStatus(long undeliveredEvents, long undeliveredValues, Duration oldestUndeliveredWait,
        long droppedEvents, Instant lastSuccess, String lastError) {

    /** When an event was last delivered; empty before the first. */
    public Optional<Instant> lastSuccessTime() {
        return Optional.ofNullable(this.lastSuccess);
    }

    /** Why delivery last failed; empty when it never failed. */
    public Optional<String> lastErrorMessage() {
        return Optional.ofNullable(this.lastError);
    }

}
