package io.dalva.spring;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@link ConfigurationProperties @ConfigurationProperties} under {@code dalva}: where the
 * application's run goes (server, project, run) and how its metrics are exported.
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
    private Duration connectTimeout = Duration.ofSeconds(5);

    /**
     * Timeout for reading a response from the Dalva server.
     */
    private Duration readTimeout = Duration.ofSeconds(30);

    /**
     * Extra HTTP headers sent with every request, for example an Authorization header for
     * a reverse proxy in front of the server.
     */
    private Map<String, String> headers = new LinkedHashMap<>();

    /**
     * The most the application's shutdown waits for the run to end (the final step, then
     * finishing the run); past it the application goes on shutting down.
     */
    private Duration shutdownTimeout = Duration.ofSeconds(5);

    /**
     * Folder that holds the run's journal (the spool) until the server has stored every
     * step. Default: the system property dalva.spool.directory, else ~/.dalva/java-spool.
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
         * Name of the run. Default: none (the server names it).
         */
        private String name;

        /**
         * Run id (for example "DEM-7") of an existing run of the project to resume
         * instead of opening a new one; its steps continue after its highest step.
         */
        private String resumeFrom;

        /**
         * Configuration recorded with the run, besides what is recorded automatically
         * (application name, active profiles, Spring Boot, Micrometer and Java versions,
         * host name). Values of keys that look secret (password, secret, token, key,
         * credentials) are masked.
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
         * Whether to export metrics to Dalva. Exporting is also off when
         * management.defaults.metrics.export.enabled is false (as in @SpringBootTest).
         */
        private boolean enabled = true;

        /**
         * Interval between two published steps of the run. The server takes about 5 ms
         * per value: a default web application (about 100 values a step) is fine at 10s.
         */
        private Duration step = Duration.ofSeconds(10);

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

    }

}
