package io.dalva.client;

import io.micrometer.common.util.internal.logging.InternalLogger;
import io.micrometer.common.util.internal.logging.InternalLoggerFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
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
 * <p>Values are {@code int}/{@code long} within 32 bits, finite {@code float}/{@code double},
 * {@code boolean} or {@code String}; nested maps are flattened with {@code /}
 * ({@code train/loss}). Anything else, {@code null}, NaN, infinities or a negative step is an
 * {@link IllegalArgumentException} naming the key, thrown before anything is sent. Dalva
 * never overwrites: logging a path again at the same step is a {@link DalvaConflictException}.
 *
 * <p>Writes are synchronous and one at a time per run (the server fails concurrent writes to
 * a run); server failures are {@link DalvaException}s. Thread-safe.
 */
public final class DalvaRun implements AutoCloseable {

    private static final InternalLogger logger = InternalLoggerFactory.getInstance(DalvaRun.class);

    private final DalvaClient client;

    private final boolean ownsClient;

    private final RunHandle handle;

    private final String project;

    /** One write in flight per run. */
    private final Object writeLock = new Object();

    private volatile boolean ended;

    private DalvaRun(DalvaClient client, boolean ownsClient, RunHandle handle, String project) {
        this.client = client;
        this.ownsClient = ownsClient;
        this.handle = handle;
        this.project = project;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The run's database id (the id in the server's URLs). */
    public long id() {
        return handle.id();
    }

    /** The run's human id such as {@code "DEM-7"}, used to resume or fork it. */
    public String runId() {
        return handle.runId();
    }

    /** The run's name, may be {@code null}. */
    public String name() {
        return handle.name();
    }

    public String project() {
        return project;
    }

    /** The client this run talks through, for calls {@code DalvaRun} does not wrap. */
    public DalvaClient client() {
        return client;
    }

    /** Logs scalar (step-less) metrics, e.g. final results. An empty map sends nothing. */
    public void log(Map<String, ?> metrics) {
        write(Values.flattenMetrics(metrics), null);
    }

    /** Logs metrics at {@code step} (0..2^31-1). An empty map sends nothing. */
    public void log(Map<String, ?> metrics, int step) {
        Map<String, Object> flat = Values.flattenMetrics(metrics);
        Values.checkStep(step);
        write(flat, step);
    }

    /** Adds config keys; a key that already exists is a {@link DalvaConflictException}. */
    public void logConfig(Map<String, ?> config) {
        Map<String, Object> flat = Values.flattenConfig(config);
        if (flat.isEmpty()) {
            return;
        }
        synchronized (writeLock) {
            client.logConfig(id(), flat);
        }
    }

    /** The value at the highest step of {@code path} (or its scalar); {@link DalvaNotFoundException} if none. */
    public Object getMetric(String path) {
        return client.getMetric(id(), path, null).value();
    }

    /** The value of {@code path} at {@code step}; {@link DalvaNotFoundException} if none. */
    public Object getMetric(String path, int step) {
        return client.getMetric(id(), path, step).value();
    }

    /** Removes every value of {@code path}, so it can be logged again. */
    public void removeMetric(String path) {
        synchronized (writeLock) {
            client.deleteMetric(id(), path, null);
        }
    }

    /** Removes the value of {@code path} at {@code step}, so it can be logged again. */
    public void removeMetric(String path, int step) {
        synchronized (writeLock) {
            client.deleteMetric(id(), path, step);
        }
    }

    /** The run's config, flat ({@code model/layers} for nested keys). */
    public Map<String, Object> getConfig() {
        return client.getConfig(id());
    }

    /** One config value; {@link DalvaNotFoundException} if the key does not exist. */
    public Object getConfig(String key) {
        return client.getConfigValue(id(), key);
    }

    /** Removes a config key, so it can be logged again with another value. */
    public void removeConfig(String key) {
        synchronized (writeLock) {
            client.deleteConfig(id(), key);
        }
    }

    /**
     * The highest step of any series path of the run, read from the server; empty when the
     * run has no stepped values. A resumed run continues at {@code lastStep() + 1}.
     */
    public OptionalInt lastStep() {
        OptionalInt last = OptionalInt.empty();
        for (MetricPath path : client.listMetrics(id())) {
            if (path.isSeries()) {
                Integer step = client.getMetric(id(), path.path(), null).step();
                if (step != null && (last.isEmpty() || step > last.getAsInt())) {
                    last = OptionalInt.of(step);
                }
            }
        }
        return last;
    }

    /** Marks the run completed. */
    public void finish() {
        synchronized (writeLock) {
            client.finish(id());
            ended = true;
        }
    }

    /** Marks the run failed. */
    public void fail() {
        synchronized (writeLock) {
            client.setState(id(), RunState.FAILED);
            ended = true;
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

    private void write(Map<String, Object> flat, Integer step) {
        if (flat.isEmpty()) {
            return;
        }
        synchronized (writeLock) {
            client.log(id(), flat, step);
        }
    }

    /**
     * Builds and {@link #start() starts} a {@link DalvaRun}. Only {@code project} is required.
     * Client options ({@code serverUrl}, timeouts, headers) configure a client the run owns
     * and closes; alternatively pass a shared {@link #client(DalvaClient)}.
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

        /** The run's config; nested maps are flattened with {@code /}. On fork, the source's config is used. */
        public Builder config(Map<String, ?> config) {
            this.config = Objects.requireNonNull(config, "config");
            return this;
        }

        /**
         * Resume the run with this run id (like {@code "DEM-7"}) in the project. Config keys
         * the run already has with the same value are skipped; a different value is a
         * {@link DalvaConflictException} naming the key.
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

        /** Server base URL; default {@code DALVA_SERVER_URL}, else {@code http://localhost:8000}. */
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
         * Checks the server's health, then creates, resumes or forks the run.
         *
         * @throws IllegalArgumentException on a missing project or an invalid config value
         * @throws DalvaNotFoundException when the run to resume or fork does not exist in the project
         * @throws DalvaConflictException when resuming with a config value that differs from the run's
         * @throws DalvaException when the server cannot be reached or fails
         */
        public DalvaRun start() {
            if (project == null || project.isBlank()) {
                throw new IllegalArgumentException("project must not be null or blank");
            }
            if (resumeFrom != null && forkFrom != null) {
                throw new IllegalArgumentException("a run is either resumed (resumeFrom) or forked (forkFrom), not both");
            }
            if (client != null && clientOptionsSet) {
                throw new IllegalArgumentException(
                        "client(...) excludes serverUrl, timeouts and headers: configure them on that client");
            }
            Map<String, Object> flatConfig = Values.flattenConfig(config);
            boolean ownsClient = client == null;
            DalvaClient runClient = ownsClient ? clientBuilder.build() : client;
            try {
                runClient.health();
                RunHandle handle = resumeFrom != null ? resume(runClient, flatConfig) : create(runClient, flatConfig);
                return new DalvaRun(runClient, ownsClient, handle, project);
            }
            catch (RuntimeException e) {
                if (ownsClient) {
                    runClient.close();
                }
                throw e;
            }
        }

        private RunHandle create(DalvaClient client, Map<String, Object> flatConfig) {
            RunHandle handle = client.initRun(RunInit.builder(project).name(name).config(flatConfig)
                .forkFrom(forkFrom).build());
            logger.info("Run created: " + handle.runId()
                    + (forkFrom == null ? "" : " (fork of " + forkFrom + ")"));
            return handle;
        }

        /**
         * The server answers a bare 500 when the run does not exist or a config key exists:
         * check both first, and send only the keys the run lacks.
         */
        private RunHandle resume(DalvaClient client, Map<String, Object> flatConfig) {
            RunInfo existing = findRun(client);
            Map<String, Object> stored = client.getConfig(existing.id());
            Map<String, Object> missing = new LinkedHashMap<>();
            List<String> conflicts = new ArrayList<>();
            flatConfig.forEach((key, value) -> {
                if (!stored.containsKey(key)) {
                    missing.put(key, value);
                }
                else if (!Values.sameValue(stored.get(key), value)) {
                    conflicts.add("config key '" + key + "' is " + stored.get(key) + " in run " + resumeFrom
                            + ", not " + value);
                }
            });
            if (!conflicts.isEmpty()) {
                throw new DalvaConflictException("cannot resume run " + resumeFrom + ": " + String.join("; ", conflicts)
                        + " (remove the key first to change it)", conflicts);
            }
            RunHandle handle = client.initRun(RunInit.builder(project).config(missing).resumeFrom(resumeFrom).build());
            logger.info("Run resumed: " + handle.runId());
            return handle;
        }

        private RunInfo findRun(DalvaClient client) {
            ProjectInfo projectInfo = client.listProjects().stream()
                .filter(p -> p.name().equals(project))
                .findFirst()
                .orElseThrow(this::notFound);
            int pageSize = 100;
            for (int offset = 0;; offset += pageSize) {
                RunPage page = client.listRuns(RunQuery.builder().projectId(projectInfo.id()).search(resumeFrom)
                    .limit(pageSize).offset(offset).build());
                for (RunInfo run : page.runs()) {
                    if (run.runId().equals(resumeFrom) && run.projectId() == projectInfo.id()) {
                        return run;
                    }
                }
                if (!page.hasMore() || page.runs().isEmpty()) {
                    throw notFound();
                }
            }
        }

        private DalvaNotFoundException notFound() {
            return new DalvaNotFoundException("run " + resumeFrom + " not found in project " + project);
        }
    }
}
