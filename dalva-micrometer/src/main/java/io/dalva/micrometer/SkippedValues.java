package io.dalva.micrometer;

import io.dalva.internal.logging.Log;
import io.micrometer.core.instrument.Meter;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts the NaN and infinite values a step leaves out (Dalva stores finite values only)
 * and logs the first one of each meter.
 */
final class SkippedValues {

    private static final Log logger = Log.of(SkippedValues.class);

    private final Set<Meter.Id> warned = ConcurrentHashMap.newKeySet();

    private final AtomicLong count = new AtomicLong();

    void skip(Meter.Id id, String path, double value) {
        count.incrementAndGet();
        if (warned.add(id)) {
            logger.warn("Skipping {} for {}: Dalva stores finite values only (logged once per meter).", value, path);
        }
    }

    void forget(Meter.Id id) {
        warned.remove(id);
    }

    long count() {
        return count.get();
    }

}
