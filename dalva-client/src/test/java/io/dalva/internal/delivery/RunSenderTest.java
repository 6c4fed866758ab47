package io.dalva.internal.delivery;

import io.dalva.client.DalvaClient;
import io.dalva.client.DalvaDeliveryException;
import io.dalva.client.DeliveryFailure;
import io.dalva.internal.journal.Journal;
import io.dalva.internal.journal.SpoolManifest;

import static org.assertj.core.api.Assertions.assertThat;

import io.dalva.test.DalvaTestServer;
import io.dalva.test.RecordedRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sender against a real server over loopback, with faults injected by the server. */
class RunSenderTest {

    static final DeliveryOptions FAST = new DeliveryOptions(null, 4096, 1 << 20, 50, Duration.ofMillis(1500),
            new Backoff(Duration.ofMillis(5), Duration.ofMillis(40)), Duration.ofMillis(50), Duration.ofSeconds(2));

    @TempDir
    Path tmp;

    DalvaTestServer server;

    DalvaClient client;

    Journal journal;

    RunSender sender;

    @BeforeEach
    void startServer() {
        server = DalvaTestServer.start();
        client = DalvaClient.builder()
            .serverUrl(server.url())
            .connectTimeout(Duration.ofMillis(500))
            .readTimeout(Duration.ofSeconds(2))
            .callTimeout(Duration.ofSeconds(3))
            .build();
    }

    @AfterEach
    void stop() {
        if (sender != null) {
            sender.stop(TimeUnit.SECONDS.toNanos(2));
        }
        if (journal != null) {
            journal.close();
        }
        client.close();
        server.close();
    }

    private RunSender startSender(DeliveryOptions options) throws IOException {
        Path runDir = tmp.resolve("run");
        journal = Journal.open(runDir, options.segmentBytes(), options.maxSpoolBytes());
        SpoolManifest manifest = SpoolManifest.create("demo", "sender-test", server.url());
        manifest.write(runDir);
        sender = new RunSender(client, journal, manifest, options, client::initRun);
        journal.appendRunCreated(manifest.localId(), "demo", "sender-test", Map.of("lr", 0.5), null, null);
        return sender.start();
    }

    private void logSteps(int from, int to) {
        for (int step = from; step < to; step++) {
            journal.appendMetrics(Map.of("loss", step / 10.0, "step/seen", step), step);
            sender.wake();
        }
    }

    private boolean awaitAll(Duration timeout) {
        return sender.awaitDelivered(journal.lastSeq(), timeout.toNanos());
    }

    private long runDbId() {
        return sender.manifest().serverId();
    }

    private void assertEveryStepOnce(int steps) {
        SortedMap<Integer, Object> loss = server.series(runDbId(), "loss");
        assertThat(loss.keySet()).containsExactlyElementsOf(IntStream.range(0, steps).boxed().toList());
        assertThat(loss.get(steps - 1)).isEqualTo((steps - 1) / 10.0);
        assertThat(server.series(runDbId(), "step/seen")).hasSize(steps);
    }

    @Test
    void createsTheRunThenDeliversEveryStepInOrderInBatches() throws IOException {
        startSender(FAST);
        logSteps(0, 200);
        journal.appendRunFinished("completed");
        sender.wake();
        assertThat(awaitAll(Duration.ofSeconds(10))).isTrue();

        assertEveryStepOnce(200);
        assertThat(server.run(runDbId()).orElseThrow().state()).isEqualTo("completed");
        assertThat(server.run(runDbId()).orElseThrow().config()).containsEntry("lr", 0.5);
        List<RecordedRequest> batches = server.requests()
            .stream()
            .filter(request -> request.path().endsWith("/log/batch"))
            .toList();
        assertThat(batches).allSatisfy(request -> assertThat(request.status()).isEqualTo(200));
        assertThat(batches.size()).isLessThan(200); // batched: at most 50 values a
                                                    // request
        assertThat(sender.takeFailures()).isNull();
    }

    @Test
    void theSamePathAndStepTwiceNeverShareABatchAndTheSecondIsReported() throws IOException {
        startSender(FAST);
        server.delayResponses(Duration.ofMillis(100)); // let events pile up behind the
                                                       // run creation
        journal.appendMetrics(Map.of("loss", 1.0), 0);
        journal.appendMetrics(Map.of("loss", 2.0), 0);
        journal.appendMetrics(Map.of("loss", 3.0), 1);
        sender.wake();
        assertThat(awaitAll(Duration.ofSeconds(10))).isTrue();

        assertThat(server.series(runDbId(), "loss")).containsExactly(Map.entry(0, 1.0), Map.entry(1, 3.0));
        assertThat(server.requests()).noneMatch(request -> request.status() == 500);
        DalvaDeliveryException failures = sender.takeFailures();
        assertThat(failures.failures()).singleElement().satisfies(failure -> {
            assertThat(failure.path()).isEqualTo("loss");
            assertThat(failure.step()).isEqualTo(0);
            assertThat(failure.run()).isEqualTo(sender.manifest().serverRunId());
            assertThat(failure.reason()).contains("already exists at step 0");
        });
    }

    @Test
    void aStormOf503sIsRetriedUntilEveryStepIsStored() throws IOException {
        startSender(FAST);
        logSteps(0, 20);
        assertThat(awaitAll(Duration.ofSeconds(10))).isTrue();
        server.failNext(25, 503, ".*/log/batch");
        logSteps(20, 60);
        assertThat(awaitAll(Duration.ofSeconds(20))).isTrue();

        assertEveryStepOnce(60);
        assertThat(server.requests().stream().filter(request -> request.status() == 503).count()).isEqualTo(25);
        assertThat(sender.takeFailures()).isNull();
    }

    @Test
    void aProxyRefusingForAWhileLosesNothing() throws IOException {
        startSender(FAST);
        logSteps(0, 5);
        assertThat(awaitAll(Duration.ofSeconds(10))).isTrue();
        server.failNext(3, 401, "/log/batch$");
        server.failNext(2, 429, "/log/batch$");
        logSteps(5, 20);
        assertThat(awaitAll(Duration.ofSeconds(10))).isTrue();

        assertEveryStepOnce(20);
        assertThat(server.requests()).filteredOn(request -> request.status() == 401).hasSize(3);
        assertThat(sender.takeFailures()).isNull();
    }

    @Test
    void aBatchStoredButNeverAnsweredIsNeitherDuplicatedNorDropped() throws IOException {
        startSender(FAST);
        logSteps(0, 5);
        assertThat(awaitAll(Duration.ofSeconds(10))).isTrue();
        server.dropConnectionAfterStoring(1, ".*/log/batch");
        logSteps(5, 30);
        assertThat(awaitAll(Duration.ofSeconds(10))).isTrue();

        assertEveryStepOnce(30);
        assertThat(server.storedValueCount(runDbId())).isEqualTo(2 * 30);
        // the dropped batch's last value was looked up and found: not sent again
        assertThat(server.requests())
            .anyMatch(request -> request.method().equals("GET") && request.path().contains("/metrics/"));
        assertThat(server.requests()).noneMatch(request -> request.status() == 409);
        assertThat(sender.takeFailures()).isNull();
    }

    @Test
    void aGenuineConflictInTheMiddleOfTheQueueIsReportedAndDoesNotBlockWhatFollows() throws IOException {
        startSender(FAST);
        logSteps(0, 10);
        assertThat(awaitAll(Duration.ofSeconds(10))).isTrue();
        server.delayResponses(Duration.ofMillis(50));
        journal.appendMetrics(Map.of("loss", 99.0, "other", 1.0), 5); // loss@5 exists: a
                                                                      // genuine conflict
        logSteps(10, 40);
        assertThat(awaitAll(Duration.ofSeconds(10))).isTrue();

        assertEveryStepOnce(40);
        assertThat(server.storedValueCount(runDbId())).isEqualTo(2 * 40 + 1);
        assertThat(server.series(runDbId(), "loss").get(5)).isEqualTo(0.5);
        assertThat(server.series(runDbId(), "other")).containsExactly(Map.entry(5, 1.0));
        DalvaDeliveryException failures = sender.takeFailures();
        assertThat(failures.total()).isEqualTo(1);
        assertThat(failures.failures().get(0)).extracting(DeliveryFailure::path, DeliveryFailure::step)
            .containsExactly("loss", 5);
        assertThat(failures.getMessage()).contains("loss at step 5").contains("already exists");
    }

    @Test
    void serverDownAtStartTheRunIsCreatedWhenItAppearsAndStepsArriveInOrder() throws IOException {
        server.stop();
        startSender(FAST);
        logSteps(0, 50);
        assertThat(awaitAll(Duration.ofMillis(300))).isFalse();
        assertThat(sender.manifest().created()).isFalse();

        server.restart();
        assertThat(awaitAll(Duration.ofSeconds(10))).isTrue();
        assertThat(sender.manifest().created()).isTrue();
        assertEveryStepOnce(50);
        assertThat(SpoolManifest.read(tmp.resolve("run")).serverRunId()).isEqualTo(sender.manifest().serverRunId());
    }

    @Test
    void anOutageLongerThanTheMemoryBufferGoesToDiskAndIsDeliveredWhenTheServerIsBack() throws IOException {
        startSender(FAST);
        logSteps(0, 10);
        assertThat(awaitAll(Duration.ofSeconds(10))).isTrue();
        server.stop();
        logSteps(10, 400); // ~40 KB of events: ten times the 4 KB mapped segment
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (fileCount() <= 5 && System.nanoTime() < deadline) { // the journal's
                                                                   // owner seals them
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
        assertThat(fileCount()).isGreaterThan(5);
        assertThat(journal.droppedEvents()).isZero();

        server.restart();
        assertThat(awaitAll(Duration.ofSeconds(20))).isTrue();
        assertEveryStepOnce(400);
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (fileCount() > 1 && System.nanoTime() < deadline) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
        assertThat(fileCount()).isLessThanOrEqualTo(1); // delivered segments are deleted
    }

    /** Segment files holding events (not the spares the journal maps ahead of need). */
    private long fileCount() throws IOException {
        try (var files = Files.list(tmp.resolve("run").resolve("events"))) {
            return files.filter(file -> !file.getFileName().toString().startsWith(".active-")).count();
        }
    }

    @Test
    void responsesSlowerThanTheStepBatchUpInsteadOfFallingBehindForever() throws IOException {
        startSender(FAST);
        server.delayResponses(Duration.ofMillis(30));
        for (int step = 0; step < 100; step++) {
            journal.appendMetrics(Map.of("loss", step / 10.0, "step/seen", step), step);
            sender.wake();
            sleepMillis(2); // a 2 ms step, 15 times faster than the server answers
        }
        assertThat(awaitAll(Duration.ofSeconds(10))).isTrue();
        assertEveryStepOnce(100);
        long batches = server.requests().stream().filter(request -> request.path().endsWith("/log/batch")).count();
        assertThat(batches).isLessThan(40);
    }

    private static void sleepMillis(long millis) {
        try {
            Thread.sleep(millis);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

}
