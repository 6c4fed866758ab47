package io.dalva.run;

import io.dalva.client.DalvaClient;
import io.dalva.client.DalvaConflictException;
import io.dalva.client.DalvaDeliveryException;
import io.dalva.client.DalvaNotFoundException;
import io.dalva.client.MetricPath;
import io.dalva.client.RunHandle;
import io.dalva.client.RunInit;
import io.dalva.client.RunState;
import io.dalva.client.internal.Defaults;
import io.dalva.client.internal.Values;
import io.dalva.internal.delivery.Backoff;
import io.dalva.internal.delivery.DeliveryOptions;
import io.dalva.internal.delivery.RunDelivery;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * A Dalva run: the Java counterpart of Dalva's Python {@code Run}. Create, resume or fork
 * one with {@link #builder()}, log metrics by step, and finish it; {@link #close()}
 * finishes it, so try-with-resources works:
 *
 * <pre>{@code
 * try (DalvaRun run = DalvaRun.builder().project("demo").name("baseline")
 *         .config(Map.of("lr", 0.001, "model", Map.of("layers", 4))).start()) {
 *     for (int step = 0; step < 100; step++) {
 *         run.log(Map.of("train", Map.of("loss", loss(step))), step);
 *     }
 * }
 * }</pre>
 *
 * <p>
 * Values are {@code int}/{@code long} within 32 bits, finite
 * {@code float}/{@code double}, {@code boolean} or {@code String}; nested maps are
 * flattened with {@code /} ({@code train/loss}). Anything else, {@code null}, NaN,
 * infinities or a negative step is an {@link IllegalArgumentException} naming the key,
 * thrown before anything is sent. Dalva never overwrites: logging a path again at the
 * same step is a {@link DalvaConflictException}. Any key the server accepts is sent, but
 * a path holding {@code %}, {@code ?}, {@code #} or {@code \} is logged as a warning,
 * once per path: Dalva's web UI puts the path raw into a URL and cannot chart it.
 *
 * <p>
 * Values read back ({@link #getMetric(String)}, {@link #getConfig()}) are {@code Double},
 * {@code Long}, {@code Boolean} or {@code String} (config values also {@code List}).
 *
 * <p>
 * <b>Delivery.</b> {@code log} and {@code logConfig} return at once: the values go to the
 * run's journal, a memory-mapped file in the spool folder (default
 * {@code ~/.dalva/java-spool}) that survives the process being killed, and a daemon
 * thread ({@code dalva-sender}) delivers them in order, one request at a time, retrying
 * connection failures, timeouts, 429 and 5xx with exponential backoff. Values the server
 * rejects for good (a genuine 409 or 422) are reported by {@link #flush(Duration)} and
 * {@link #finish()} as a {@link DalvaDeliveryException}, and never hold back what was
 * logged after them. {@link #finish()}, {@link #fail()} and {@link #close()} wait at most
 * the shutdown timeout (default 5 s); what is not delivered by then stays in the spool
 * and is delivered when the run is resumed or by {@code java -jar dalva.jar replay}
 * ({@link DalvaSpool}). {@link Builder#synchronous(boolean)} makes {@code log} wait for
 * the server instead.
 *
 * <p>
 * When the server cannot be reached at {@link Builder#start()}, the run starts anyway and
 * is created when the server answers; until then {@link #id()} is -1 and {@link #runId()}
 * is {@code null}, and the methods that read from the server throw
 * {@link IllegalStateException}. Thread-safe.
 */
public final class DalvaRun implements AutoCloseable {

    private final DalvaClient client;

    private final boolean ownsClient;

    private final RunDelivery delivery;

    private final String project;

    private final Duration settleTimeout;

    /** Serializes the synchronous writes (removals) and the end of the run. */
    private final Object writeLock = new Object();

    private final MetricsMapEncoder mapEncoder = new MetricsMapEncoder(new UnchartablePaths());

    private volatile boolean ended;

    private DalvaRun(DalvaClient client, boolean ownsClient, RunDelivery delivery, String project,
            Duration settleTimeout) {
        this.client = client;
        this.ownsClient = ownsClient;
        this.delivery = delivery;
        this.project = project;
        this.settleTimeout = settleTimeout;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * The run's database id (the id in the server's URLs); -1 until the server has
     * created the run.
     */
    public long id() {
        Long id = delivery.manifest().serverId();
        return id == null ? -1 : id;
    }

    /**
     * The run's human id such as {@code "DEM-7"}, used to resume or fork it; {@code null}
     * until created.
     */
    public String runId() {
        return delivery.manifest().serverRunId();
    }

    /** The run's name, may be {@code null}. */
    public String name() {
        return delivery.manifest().name();
    }

    /**
     * This run's journal folder in the spool, or {@code null} when the journal is in
     * memory only.
     */
    public Path spoolDirectory() {
        return delivery.directory();
    }

    public String project() {
        return project;
    }

    /** The client this run talks through, for calls {@code DalvaRun} does not wrap. */
    public DalvaClient client() {
        return client;
    }

    /**
     * Logs scalar (step-less) metrics, e.g. final results. An empty map sends nothing.
     * Returns at once (see the class comment); {@link IllegalStateException} once the run
     * has ended.
     */
    public void log(Map<String, ?> metrics) {
        logMap(metrics, MetricsMapEncoder.NO_STEP);
    }

    /**
     * Logs metrics at {@code step} (0..2^31-1). An empty map sends nothing. Returns at
     * once.
     */
    public void log(Map<String, ?> metrics, int step) {
        Values.checkStep(step);
        logMap(metrics, step);
    }

    /**
     * Logs the values of a {@link MetricsBuffer} at {@code step} (0..2^31-1): the bytes
     * it holds go to the journal and on to the server as they are. An empty buffer sends
     * nothing. Returns at once; the buffer can be cleared and reused when it returns.
     */
    public void log(MetricsBuffer metrics, int step) {
        Values.checkStep(step);
        if (metrics.isEmpty()) {
            return;
        }
        checkOpen();
        delivery.logEncoded(metrics.array(), metrics.payload(step), metrics.values());
    }

    /**
     * Adds config keys, delivered like metrics. A key the run holds already with the same
     * value is skipped; with another value it is reported as a {@link DeliveryFailure}.
     */
    public void logConfig(Map<String, ?> config) {
        Map<String, Object> flat = Values.flattenConfig(config);
        if (flat.isEmpty()) {
            return;
        }
        checkOpen();
        delivery.logConfig(flat);
    }

    /**
     * Waits until everything logged so far is stored, at most {@code timeout}.
     * @return {@code true} when everything was delivered in time, {@code false} when some
     * is still queued (server unreachable or slow)
     * @throws DalvaDeliveryException when the server rejected values since the last
     * report
     */
    public boolean flush(Duration timeout) {
        return delivery.flush(timeout);
    }

    /**
     * The value at the highest step of {@code path} (or its scalar);
     * {@link DalvaNotFoundException} if none.
     */
    public Object getMetric(String path) {
        return client.getMetric(serverId(), path, null).value();
    }

    /**
     * The value of {@code path} at {@code step}; {@link DalvaNotFoundException} if none.
     */
    public Object getMetric(String path, int step) {
        return client.getMetric(serverId(), path, step).value();
    }

    /** Removes every value of {@code path}, so it can be logged again. */
    public void removeMetric(String path) {
        synchronized (writeLock) {
            client.deleteMetric(serverId(), path, null);
        }
    }

    /** Removes the value of {@code path} at {@code step}, so it can be logged again. */
    public void removeMetric(String path, int step) {
        synchronized (writeLock) {
            client.deleteMetric(serverId(), path, step);
        }
    }

    /** The run's config, flat ({@code model/layers} for nested keys). */
    public Map<String, Object> getConfig() {
        return client.getConfig(serverId());
    }

    /** One config value; {@link DalvaNotFoundException} if the key does not exist. */
    public Object getConfig(String key) {
        return client.getConfigValue(serverId(), key);
    }

    /** Removes a config key, so it can be logged again with another value. */
    public void removeConfig(String key) {
        synchronized (writeLock) {
            client.deleteConfig(serverId(), key);
        }
    }

    /**
     * The run's delivery now: events waiting in the spool, events dropped, the last
     * delivery and the last failure. Reads local state only; never blocks on the server.
     */
    public DeliveryStatus deliveryStatus() {
        return new DeliveryStatus(delivery.undeliveredEvents(), delivery.undeliveredValues(),
                delivery.oldestUndeliveredWait(), delivery.droppedEvents(), delivery.lastSuccess(),
                delivery.lastError());
    }

    /**
     * Waits at most {@code timeout} until the server has created the run (a run started
     * while the server was unreachable, or {@link Builder#createInBackground(boolean)}).
     * @return whether it has: {@link #runId()} and {@link #id()} are then known
     */
    public boolean awaitCreated(Duration timeout) {
        return runId() != null || delivery.awaitCreated(Objects.requireNonNull(timeout, "timeout"));
    }

    /**
     * The highest step of any series path of the run, read from the server; empty when
     * the run has no stepped values. A resumed run continues at {@code lastStep() + 1}.
     */
    public OptionalInt lastStep() {
        OptionalInt last = OptionalInt.empty();
        long id = serverId();
        for (MetricPath path : client.listMetrics(id)) {
            if (path.isSeries()) {
                Integer step = client.getMetric(id, path.path(), null).step();
                if (step != null && (last.isEmpty() || step > last.getAsInt())) {
                    last = OptionalInt.of(step);
                }
            }
        }
        return last;
    }

    /**
     * Marks the run completed once everything logged is stored, waiting at most the
     * shutdown timeout; what is left stays in the spool. Later calls do nothing.
     * @throws DalvaDeliveryException when the server rejected values since the last
     * report
     */
    public void finish() {
        end(RunState.COMPLETED);
    }

    /**
     * Like {@link #finish()}, but marks the run failed: call it when the program fails.
     */
    public void fail() {
        end(RunState.FAILED);
    }

    private void end(RunState state) {
        synchronized (writeLock) {
            if (ended) {
                return;
            }
            ended = true;
        }
        delivery.finish(state.apiValue());
        DalvaDeliveryException failures = delivery.takeFailures();
        if (failures != null) {
            throw failures;
        }
    }

    /**
     * {@link #finish()} unless the run was already finished or failed, then releases the
     * client if this run created it.
     */
    @Override
    public void close() {
        try {
            if (!ended) {
                finish();
            }
        }
        finally {
            if (ownsClient) {
                client.close();
            }
        }
    }

    @Override
    public String toString() {
        return "DalvaRun[" + runId() + " (id " + id() + ") in " + project + " at " + client.serverUrl() + "]";
    }

    /**
     * Checks and encodes the map straight into the run's one buffer, then journals it:
     * concurrent callers take turns (the journal serializes them anyway).
     */
    private void logMap(Map<String, ?> metrics, int step) {
        synchronized (mapEncoder) {
            int length = mapEncoder.encode(metrics, step);
            if (mapEncoder.values() == 0) {
                return;
            }
            checkOpen();
            delivery.logEncoded(mapEncoder.array(), length, mapEncoder.values());
        }
    }

    private void checkOpen() {
        if (ended) {
            throw new IllegalStateException("run " + (runId() != null ? runId() : name()) + " has ended");
        }
    }

    /**
     * The database id for a direct call, once what was logged before has been delivered.
     */
    private long serverId() {
        delivery.await(settleTimeout);
        long id = id();
        if (id < 0) {
            throw new IllegalStateException("run not created yet: the Dalva server at " + client.serverUrl()
                    + " has not answered since the run started");
        }
        return id;
    }

    /**
     * Builds and {@link #start() starts} a {@link DalvaRun}. Only {@code project} is
     * required. Client options ({@code serverUrl}, timeouts, headers) configure a client
     * the run owns and closes; alternatively pass a shared {@link #client(DalvaClient)}.
     */
    public static final class Builder {

        private String project;

        private String name;

        private Map<String, ?> config = Map.of();

        private String resumeFrom;

        private String forkFrom;

        private DalvaClient client;

        private final DalvaClient.Builder clientBuilder = DalvaClient.builder();

        private boolean clientOptionsSet;

        private Path spoolDirectory = Defaults.spoolDirectory();

        private int spoolSegmentSize = Defaults.SPOOL_SEGMENT_BYTES;

        private long maxSpoolSize = Defaults.MAX_SPOOL_BYTES;

        private int maxBatchValues = Defaults.MAX_BATCH_VALUES;

        private Duration targetRequestTime = Defaults.TARGET_REQUEST_TIME;

        private Backoff backoff = new Backoff(Defaults.RETRY_INITIAL, Defaults.RETRY_MAX);

        private Duration syncInterval = Defaults.SYNC_INTERVAL;

        private Duration shutdownTimeout = Defaults.SHUTDOWN_TIMEOUT;

        private boolean synchronous;

        private boolean createInBackground;

        private Builder() {
        }

        /** The project (created on first use). Required. */
        public Builder project(String project) {
            this.project = project;
            return this;
        }

        /** The run's name; ignored on resume. */
        public Builder name(String name) {
            this.name = name;
            return this;
        }

        /**
         * The run's config; nested maps are flattened with {@code /}. On fork, the
         * source's config is used.
         */
        public Builder config(Map<String, ?> config) {
            this.config = Objects.requireNonNull(config, "config");
            return this;
        }

        /**
         * Resume the run with this run id (like {@code "DEM-7"}) in the project. Config
         * keys the run already has with the same value are skipped; a different value is
         * a {@link DalvaConflictException} naming the key.
         */
        public Builder resumeFrom(String runId) {
            this.resumeFrom = runId;
            return this;
        }

        /** Start a new run as a copy of this run id's config and metrics. */
        public Builder forkFrom(String runId) {
            this.forkFrom = runId;
            return this;
        }

        /** A client to use (and leave open); excludes the other client options. */
        public Builder client(DalvaClient client) {
            this.client = Objects.requireNonNull(client, "client");
            return this;
        }

        /**
         * Server base URL; default {@code DALVA_SERVER_URL}, else
         * {@code http://localhost:8000}.
         */
        public Builder serverUrl(String serverUrl) {
            clientBuilder.serverUrl(serverUrl);
            clientOptionsSet = true;
            return this;
        }

        /** See {@link DalvaClient.Builder#connectTimeout(Duration)}. */
        public Builder connectTimeout(Duration timeout) {
            clientBuilder.connectTimeout(timeout);
            clientOptionsSet = true;
            return this;
        }

        /** See {@link DalvaClient.Builder#readTimeout(Duration)}. */
        public Builder readTimeout(Duration timeout) {
            clientBuilder.readTimeout(timeout);
            clientOptionsSet = true;
            return this;
        }

        /** See {@link DalvaClient.Builder#callTimeout(Duration)}. */
        public Builder callTimeout(Duration timeout) {
            clientBuilder.callTimeout(timeout);
            clientOptionsSet = true;
            return this;
        }

        /** See {@link DalvaClient.Builder#header(String, String)}. */
        public Builder header(String name, String value) {
            clientBuilder.header(name, value);
            clientOptionsSet = true;
            return this;
        }

        /**
         * The spool folder: one journal folder per run holds what is not delivered yet.
         * Default {@code ~/.dalva/java-spool}; {@code null} keeps journals in memory
         * (lost if the process dies).
         */
        public Builder spoolDirectory(Path directory) {
            this.spoolDirectory = directory;
            return this;
        }

        /**
         * Size of one journal segment file, the memory-mapped buffer (default 1 MiB, at
         * least 4 KiB).
         */
        public Builder spoolSegmentSize(int bytes) {
            this.spoolSegmentSize = bytes;
            return this;
        }

        /**
         * The most the run's undelivered journal may hold (default 256 MiB); beyond it,
         * values are dropped and logged.
         */
        public Builder maxSpoolSize(long bytes) {
            this.maxSpoolSize = bytes;
            return this;
        }

        /**
         * The most metric values in one request (default 500; a larger event is sent in
         * parts). Below it, requests are sized by {@link #targetRequestTime(Duration)}.
         */
        public Builder maxBatchValues(int values) {
            this.maxBatchValues = values;
            return this;
        }

        /**
         * How long one metrics request should keep the server busy (default 1.5 s): the
         * sender measures the server's time per value and sizes requests to it. A
         * request's timeouts are the client's plus three times its expected time, and a
         * request that timed out is not sent again while the server may still be writing
         * it (the sender checks whether it was stored first).
         */
        public Builder targetRequestTime(Duration time) {
            this.targetRequestTime = time;
            return this;
        }

        /**
         * Retry delays: exponential from {@code initial} up to {@code max}, each jittered
         * between half and all of it (default 250 ms to 30 s).
         */
        public Builder retryBackoff(Duration initial, Duration max) {
            this.backoff = new Backoff(initial, max);
            return this;
        }

        /**
         * How often the journal is forced to the storage device, for power loss (default
         * 1 s).
         */
        public Builder syncInterval(Duration interval) {
            this.syncInterval = interval;
            return this;
        }

        /**
         * The most {@link #finish()}, {@link #fail()} and {@link #close()} wait for
         * delivery (default 5 s).
         */
        public Builder shutdownTimeout(Duration timeout) {
            this.shutdownTimeout = timeout;
            return this;
        }

        /**
         * Whether {@link #start()} returns without contacting the server (default
         * {@code false}): the run's sender creates, resumes or forks it when the server
         * answers, and its ids are unknown until then. What the server refuses then (an
         * unknown run to resume or fork) is logged, and the data stays in the spool. For
         * callers that must never wait, such as a metrics registry. Excludes
         * {@link #synchronous(boolean)}.
         */
        public Builder createInBackground(boolean background) {
            this.createInBackground = background;
            return this;
        }

        /**
         * Whether {@code log} and {@code logConfig} wait until the server stored the
         * values (at most the shutdown timeout) and throw its errors; default
         * {@code false}. A synchronous run also fails to start when the server is
         * unreachable.
         */
        public Builder synchronous(boolean synchronous) {
            this.synchronous = synchronous;
            return this;
        }

        /**
         * Checks the server's health, then creates, resumes or forks the run. When the
         * server cannot be reached, the run starts anyway (unless synchronous) and is
         * created when the server answers.
         * @throws IllegalArgumentException on a missing project or an invalid config
         * value
         * @throws DalvaNotFoundException when the run to resume or fork does not exist in
         * the project
         * @throws DalvaConflictException when resuming with a config value that differs
         * from the run's
         * @throws DalvaException when the server fails (or, for a synchronous run, cannot
         * be reached)
         */
        public DalvaRun start() {
            if (project == null || project.isBlank()) {
                throw new IllegalArgumentException("project must not be null or blank");
            }
            if (resumeFrom != null && forkFrom != null) {
                throw new IllegalArgumentException(
                        "a run is either resumed (resumeFrom) or forked (forkFrom), not both");
            }
            if (synchronous && createInBackground) {
                throw new IllegalArgumentException("a synchronous run cannot be created in the background");
            }
            if (client != null && clientOptionsSet) {
                throw new IllegalArgumentException(
                        "client(...) excludes serverUrl, timeouts and headers: configure them on that client");
            }
            DeliveryOptions options = new DeliveryOptions(spoolDirectory, spoolSegmentSize, maxSpoolSize,
                    maxBatchValues, targetRequestTime, backoff, syncInterval, shutdownTimeout);
            RunInit init = RunInit.builder(project)
                .name(name)
                .config(Values.flattenConfig(config))
                .resumeFrom(resumeFrom)
                .forkFrom(forkFrom)
                .build();
            boolean ownsClient = client == null;
            DalvaClient runClient = ownsClient ? clientBuilder.build() : client;
            try {
                RunHandle handle = createInBackground ? null : RunOpening.atStart(runClient, init, synchronous);
                RunDelivery delivery = RunDelivery.start(runClient, options, synchronous, init, handle,
                        deferred -> RunOpening.deferred(runClient, deferred));
                return new DalvaRun(runClient, ownsClient, delivery, project, shutdownTimeout);
            }
            catch (RuntimeException e) {
                if (ownsClient) {
                    runClient.close();
                }
                throw e;
            }
        }

    }

    /**
     * Creates, resumes or forks a run whose start was deferred; a resumed run must exist.
     */
    static RunHandle openRun(DalvaClient client, RunInit init) {
        return RunOpening.deferred(client, init);
    }

}
