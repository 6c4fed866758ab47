package io.dalva.benchmarks;

import io.dalva.test.DalvaTestServer;
import io.dalva.test.RecordedRequest;
import io.dalva.test.StoredRun;

import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PlainPostsTest {

    private final DalvaTestServer server = DalvaTestServer.start();

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void storesEveryValueInBatchesOfWholeStepsAndFinishesTheRun() throws Exception {
        PlainPosts plain = new PlainPosts(server.url() + "/");

        double seconds = plain.send("bench", "plain", 100, 30);
        plain.close();

        StoredRun run = server.runs().get(0);
        assertThat(seconds).isPositive();
        assertThat(run.state()).isEqualTo("completed");
        assertThat(server.storedValueCount(run.id())).isEqualTo(100);
        assertThat(server.series(run.id(), "e2e/m3")).hasSize(10).containsEntry(9, 9.53);
        List<RecordedRequest> batches = server.requests()
            .stream()
            .filter(request -> request.path().endsWith("/log/batch"))
            .toList();
        // 3 steps of 10 values a request: 10 steps in 4 requests
        assertThat(batches).hasSize(4).allMatch(request -> request.status() == 200);
    }

}
