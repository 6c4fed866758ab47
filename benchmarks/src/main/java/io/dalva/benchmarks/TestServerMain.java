package io.dalva.benchmarks;

import io.dalva.test.DalvaTestServer;

import java.time.Duration;

/**
 * Runs a {@link DalvaTestServer} in a child JVM for the {@code DalvaRun} benchmarks, so
 * that the client's CPU time and allocations are measured alone; prints
 * {@code LISTENING <port>}. The system property {@value #LATENCY_PROPERTY} (microseconds)
 * makes it take that long per value stored, as the real server does (about 5,000).
 */
public final class TestServerMain {

    static final String LATENCY_PROPERTY = "dalva.e2e.latencyMicros";

    private TestServerMain() {
    }

    public static void main(String[] args) {
        ChildJvm.serve(() -> {
            DalvaTestServer server = DalvaTestServer.start();
            server.writeLatencyPerValue(Duration.ofNanos(1000 * Long.getLong(LATENCY_PROPERTY, 0)));
            return server.port();
        });
    }

}
