package io.dalva.benchmarks;

/**
 * What a {@link LoopbackSink} received: data requests, their body bytes, and requests it
 * could not answer. {@link #check} fails the benchmark when a registry sent nothing (the
 * peers log and swallow publish failures) and prints the payload per publish.
 */
record SinkStats(long requests, long bodyBytes, long failures) {

    static SinkStats parse(String text) {
        String[] parts = text.trim().split(" ");
        return new SinkStats(Long.parseLong(parts[0]), Long.parseLong(parts[1]), Long.parseLong(parts[2]));
    }

    void check(String registry, long publishes) {
        if (publishes > 0 && (requests == 0 || failures > 0)) {
            throw new IllegalStateException(registry + " published " + publishes + " times but the sink received "
                    + requests + " data requests and " + failures + " unexpected ones");
        }
        if (publishes > 0) {
            System.out.printf("%n%s: %d publishes, %.1f requests and %,d body bytes per publish%n", registry, publishes,
                    (double) requests / publishes, bodyBytes / publishes);
        }
    }

}
