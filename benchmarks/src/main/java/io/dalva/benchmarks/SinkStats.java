package io.dalva.benchmarks;

/**
 * What a {@link LoopbackSink} received: data requests, their body bytes (as sent, gzipped
 * or not), the metric values in them, and requests it could not answer or read.
 * {@link #check} fails the benchmark when a registry sent nothing (the peers log and
 * swallow publish failures) and prints the payload per publish.
 */
record SinkStats(long requests, long bodyBytes, long values, long failures) {

    static SinkStats parse(String text) {
        String[] parts = text.trim().split(" ");
        return new SinkStats(Long.parseLong(parts[0]), Long.parseLong(parts[1]), Long.parseLong(parts[2]),
                Long.parseLong(parts[3]));
    }

    SinkStats plus(SinkStats other) {
        return new SinkStats(requests + other.requests, bodyBytes + other.bodyBytes, values + other.values,
                failures + other.failures);
    }

    /** Body bytes per metric value, NaN when no value arrived. */
    double bytesPerValue() {
        return values == 0 ? Double.NaN : (double) bodyBytes / values;
    }

    void check(String registry, long publishes) {
        if (publishes > 0 && (requests == 0 || failures > 0)) {
            throw new IllegalStateException(registry + " published " + publishes + " times but the sink received "
                    + requests + " data requests and " + failures + " unexpected ones");
        }
        if (publishes > 0) {
            System.out.printf(
                    "%n%s: %d publishes; per publish %.1f requests, %,d body bytes, %,d values"
                            + " (%.1f bytes per value)%n",
                    registry, publishes, (double) requests / publishes, bodyBytes / publishes, values / publishes,
                    bytesPerValue());
        }
    }

}
