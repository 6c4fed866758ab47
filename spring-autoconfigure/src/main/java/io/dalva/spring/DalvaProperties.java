package io.dalva.spring;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.dalva.client.internal.Defaults;
import io.dalva.micrometer.DalvaConfig;
import io.dalva.micrometer.PercentileWindow;
import io.dalva.micrometer.StepMode;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@link ConfigurationProperties @ConfigurationProperties} under {@code dalva}: where the
 * application's run goes (server, project, run) and how its metrics are exported. The
 * names are those of {@link DalvaConfig}'s keys, in kebab-case; the defaults are
 * {@link Defaults}'.
 */
@ConfigurationProperties("dalva")
public class DalvaProperties {

    /**
     * Base URL of the Dalva server. Default: the DALVA_SERVER_URL environment variable,
     * else http://localhost:8000.
     */
    private String serverUrl;

    /**
     * Dalva project the run belongs to, created on first use. Default: the value of
     * spring.application.name, else "application".
     */
    private String project;

    /**
     * Timeout for connecting to the Dalva server.
     */
    private Duration connectTimeout = Defaults.CONNECT_TIMEOUT;

    /**
     * Timeout between two bytes of a response from the Dalva server.
     */
    private Duration readTimeout = Defaults.READ_TIMEOUT;

    /**
     * Timeout for a whole request to the Dalva server.
     */
    private Duration callTimeout = Defaults.CALL_TIMEOUT;

    /**
     * Extra HTTP headers sent with every request, for example an Authorization header for
     * a reverse proxy in front of the server.
     */
    private Map<String, String> headers = new LinkedHashMap<>();

    /**
     * The most the application's shutdown waits for the run to end (the final step, then
     * finishing the run); past it the application goes on shutting down and what is not
     * delivered stays in the spool.
     */
    private Duration shutdownTimeout = Defaults.SHUTDOWN_TIMEOUT;

    /**
     * Folder that holds the run's journal (the spool) until the server has stored every
     * step; runs left there by a process that died are recovered at the next start.
     * Default: the system property dalva.spool.directory, else ~/.dalva/java-spool.
     */
    private Path spoolDirectory;

    private final Run run = new Run();

    private final Metrics metrics = new Metrics();

    public String getServerUrl() {
        return this.serverUrl;
    }

    public void setServerUrl(String serverUrl) {
        this.serverUrl = serverUrl;
    }

    public String getProject() {
        return this.project;
    }

    public void setProject(String project) {
        this.project = project;
    }

    public Duration getConnectTimeout() {
        return this.connectTimeout;
    }

    public void setConnectTimeout(Duration connectTimeout) {
        this.connectTimeout = connectTimeout;
    }

    public Duration getReadTimeout() {
        return this.readTimeout;
    }

    public void setReadTimeout(Duration readTimeout) {
        this.readTimeout = readTimeout;
    }

    public Duration getCallTimeout() {
        return this.callTimeout;
    }

    public void setCallTimeout(Duration callTimeout) {
        this.callTimeout = callTimeout;
    }

    public Map<String, String> getHeaders() {
        return this.headers;
    }

    public void setHeaders(Map<String, String> headers) {
        this.headers = headers;
    }

    public Duration getShutdownTimeout() {
        return this.shutdownTimeout;
    }

    public void setShutdownTimeout(Duration shutdownTimeout) {
        this.shutdownTimeout = shutdownTimeout;
    }

    public Path getSpoolDirectory() {
        return this.spoolDirectory;
    }

    public void setSpoolDirectory(Path spoolDirectory) {
        this.spoolDirectory = spoolDirectory;
    }

    public Run getRun() {
        return this.run;
    }

    public Metrics getMetrics() {
        return this.metrics;
    }

    /**
     * The run that the application's start opens.
     */
    public static class Run {

        /**
         * Name of the run. Default: the application's name and instance, for example
         * "orders@web-1:8080" (host and port), or "orders@web-1 pid 4242" without a web
         * server.
         */
        private String name;

        /**
         * Run id (for example "DEM-7") of an existing run of the project to resume
         * instead of opening a new one; its steps continue after its highest step.
         */
        private String resumeFrom;

        /**
         * Configuration recorded with the run, besides what is recorded automatically
         * (application name, instance, profiles, versions). Values that look secret are
         * masked with Spring Boot's sanitizing rules.
         */
        private Map<String, String> config = new LinkedHashMap<>();

        public String getName() {
            return this.name;
        }

        public void setName(String name) {
            this.name = name;
        }

        public String getResumeFrom() {
            return this.resumeFrom;
        }

        public void setResumeFrom(String resumeFrom) {
            this.resumeFrom = resumeFrom;
        }

        public Map<String, String> getConfig() {
            return this.config;
        }

        public void setConfig(Map<String, String> config) {
            this.config = config;
        }

    }

    /**
     * Metrics.
     */
    public static class Metrics {

        private final Export export = new Export();

        public Export getExport() {
            return this.export;
        }

    }

    /**
     * Export of the application's Micrometer meters to the run.
     */
    public static class Export {

        /**
         * Whether to export metrics to Dalva. When not set,
         * management.defaults.metrics.export.enabled decides (as for Spring Boot's own
         * exporters), and exporting is on when neither is set.
         */
        private boolean enabled = true;

        /**
         * Interval between two published steps of the run. The server takes about 5 ms
         * per value: a default web application (about 100 values a step) is fine at 10s.
         */
        private Duration step = Defaults.STEP;

        /**
         * When steps are published: every step interval (timed), or when the application
         * calls DalvaMeterRegistry.step() (manual).
         */
        private StepMode stepMode = DalvaConfig.DEFAULT.stepMode();

        /**
         * Which recordings the percentiles of timers and distribution summaries cover:
         * exactly each step's (step), like their count, sum and max; or Micrometer's time
         * window (window), the last few distribution statistic expiry periods.
         */
        private PercentileWindow percentiles = DalvaConfig.DEFAULT.percentiles();

        /**
         * Meter-name patterns to export ("*" matches any characters). Default: every
         * meter.
         */
        private List<String> include = new ArrayList<>();

        /**
         * Meter-name patterns never to export ("*" matches any characters); wins over
         * include.
         */
        private List<String> exclude = new ArrayList<>();

        /**
         * The most values one request carries; a larger step is split into several
         * requests at the same step.
         */
        private int batchSize = DalvaConfig.DEFAULT.batchSize();

        /**
         * Unit of every time value written (timer sums, means, maxima, percentiles; time
         * gauges).
         */
        private TimeUnit baseTimeUnit = DalvaConfig.DEFAULT.baseTimeUnit();

        public boolean isEnabled() {
            return this.enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public Duration getStep() {
            return this.step;
        }

        public void setStep(Duration step) {
            this.step = step;
        }

        public StepMode getStepMode() {
            return this.stepMode;
        }

        public void setStepMode(StepMode stepMode) {
            this.stepMode = stepMode;
        }

        public PercentileWindow getPercentiles() {
            return this.percentiles;
        }

        public void setPercentiles(PercentileWindow percentiles) {
            this.percentiles = percentiles;
        }

        public List<String> getInclude() {
            return this.include;
        }

        public void setInclude(List<String> include) {
            this.include = include;
        }

        public List<String> getExclude() {
            return this.exclude;
        }

        public void setExclude(List<String> exclude) {
            this.exclude = exclude;
        }

        public int getBatchSize() {
            return this.batchSize;
        }

        public void setBatchSize(int batchSize) {
            this.batchSize = batchSize;
        }

        public TimeUnit getBaseTimeUnit() {
            return this.baseTimeUnit;
        }

        public void setBaseTimeUnit(TimeUnit baseTimeUnit) {
            this.baseTimeUnit = baseTimeUnit;
        }

    }

}
