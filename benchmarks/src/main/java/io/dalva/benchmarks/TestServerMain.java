package io.dalva.benchmarks;

import io.dalva.test.DalvaTestServer;

/**
 * Runs a {@link DalvaTestServer} in a child JVM for the {@code DalvaRun} benchmarks, so
 * that the client's CPU time and allocations are measured alone; prints
 * {@code LISTENING <port>}.
 */
public final class TestServerMain {

    private TestServerMain() {
    }

    public static void main(String[] args) {
        ChildJvm.serve(() -> DalvaTestServer.start().port());
    }

}
