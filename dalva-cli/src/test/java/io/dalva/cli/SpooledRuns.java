package io.dalva.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.dalva.run.DalvaRun;
import io.dalva.test.DalvaTestServer;
import io.dalva.test.StoredRun;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The fixture of the CLI tests: two runs that a server going down left in a spool.
 * <ul>
 * <li>{@code cli-created}: created and its step 0 delivered, then the server stops; steps
 * 1..49 ({@code loss} and {@code acc}) and the run's finish stay in the spool: 50 events,
 * 98 values.</li>
 * <li>{@code cli-offline}: started while the server is down, so not created yet; its
 * creation, steps 0..9 ({@code loss}) and its finish stay in the spool: 12 events, 10
 * values.</li>
 * </ul>
 * The server is left stopped.
 */
record SpooledRuns(DalvaRun created, DalvaRun offline) {

    static final long CREATED_EVENTS = 50;

    static final long CREATED_VALUES = 98;

    static final long OFFLINE_EVENTS = 12;

    static final long OFFLINE_VALUES = 10;

    static SpooledRuns leave(DalvaTestServer server, Path spool) {
        DalvaRun created = start(server, spool, "cli-created");
        created.log(Map.of("loss", loss(0), "acc", acc(0)), 0);
        assertThat(created.flush(Duration.ofSeconds(10))).isTrue();
        server.stop();
        for (int step = 1; step < 50; step++) {
            created.log(Map.of("loss", loss(step), "acc", acc(step)), step);
        }
        created.close();
        DalvaRun offline = start(server, spool, "cli-offline");
        for (int step = 0; step < 10; step++) {
            offline.log(Map.of("loss", loss(step)), step);
        }
        offline.close();
        assertThat(server.series(created.id(), "loss")).hasSize(1);
        assertThat(offline.id()).isEqualTo(-1);
        return new SpooledRuns(created, offline);
    }

    static DalvaRun start(DalvaTestServer server, Path spool, String project) {
        return DalvaRun.builder()
            .project(project)
            .serverUrl(server.url())
            .spoolDirectory(spool)
            .shutdownTimeout(Duration.ofMillis(200))
            .retryBackoff(Duration.ofMillis(5), Duration.ofMillis(20))
            .start();
    }

    /** Checks that the server holds both runs, completed, each value exactly once. */
    void assertDelivered(DalvaTestServer server) {
        assertThat(server.run(created.id()).orElseThrow().state()).isEqualTo("completed");
        assertThat(server.series(created.id(), "loss")).isEqualTo(expected(50, SpooledRuns::loss));
        assertThat(server.series(created.id(), "acc")).isEqualTo(expected(50, SpooledRuns::acc));
        assertThat(server.storedValueCount(created.id())).isEqualTo(100);
        StoredRun stored = server.runs()
            .stream()
            .filter(run -> run.project().equals("cli-offline"))
            .reduce((first, second) -> {
                throw new AssertionError("two runs of project cli-offline");
            })
            .orElseThrow();
        assertThat(stored.state()).isEqualTo("completed");
        assertThat(server.series(stored.id(), "loss")).isEqualTo(expected(10, SpooledRuns::loss));
        assertThat(server.storedValueCount(stored.id())).isEqualTo(10);
        assertThat(server.runs()).hasSize(2);
    }

    private static SortedMap<Integer, Object> expected(int steps, java.util.function.IntToDoubleFunction value) {
        SortedMap<Integer, Object> series = new TreeMap<>();
        for (int step = 0; step < steps; step++) {
            series.put(step, value.applyAsDouble(step));
        }
        return series;
    }

    static double loss(int step) {
        return 1.0 / (step + 1);
    }

    static double acc(int step) {
        return step / 100.0;
    }

}
