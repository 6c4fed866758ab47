package io.dalva.test;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The contract scenarios against {@link DalvaTestServer}. */
class InProcessContractTest extends DalvaContract {

    static DalvaTestServer server;

    @BeforeAll
    static void startServer() {
        server = DalvaTestServer.start();
    }

    @AfterAll
    static void closeServer() {
        server.close();
    }

    @Override
    String baseUrl() {
        return server.url();
    }

}
