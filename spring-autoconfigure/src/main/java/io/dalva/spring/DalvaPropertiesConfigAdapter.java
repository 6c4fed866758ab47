package io.dalva.spring;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.dalva.client.internal.Defaults;
import io.dalva.micrometer.DalvaConfig;
import io.dalva.micrometer.PercentileWindow;
import io.dalva.micrometer.StepMode;

import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;

/**
 * Adapts {@link DalvaProperties} to {@link DalvaConfig}. Checks the properties first, so
 * that an invalid value fails the application's start with a message naming the property.
 * <p>
 * Exporting is off until {@link #startExporting()}: the registry created with this
 * configuration opens no run in its constructor, so the server never delays the
 * application's start (the {@link DalvaRunLifecycle} opens the run in the background once
 * the context is refreshed). The run's name and configuration are worked out when the run
 * opens ({@link RunIdentity}).
 */
final class DalvaPropertiesConfigAdapter implements DalvaConfig {

    private final DalvaProperties properties;

    private final String project;

    private final RunIdentity identity;

    private volatile boolean exporting;

    private volatile Map<String, String> failure = Map.of();

    /**
     * @param properties the bound {@code dalva.*} properties
     * @param project the project: {@code dalva.project}, else the application's name
     * @param identity the run's name and configuration
     */
    DalvaPropertiesConfigAdapter(DalvaProperties properties, String project, RunIdentity identity) {
        this.properties = properties;
        this.project = project;
        this.identity = identity;
        check(properties);
    }

    void startExporting() {
        this.exporting = true;
    }

    /**
     * Makes the run's configuration carry why the application failed, for a run that is
     * not open yet.
     */
    void recordFailure(Map<String, String> failure) {
        this.failure = Map.copyOf(failure);
    }

    @Override
    public String get(String key) {
        return null;
    }

    @Override
    public String serverUrl() {
        String serverUrl = this.properties.getServerUrl();
        return (serverUrl != null) ? serverUrl : Defaults.serverUrl();
    }

    @Override
    public String project() {
        return this.project;
    }

    @Override
    public String runName() {
        return (this.properties.getRun().getResumeFrom() != null) ? null : this.identity.runName();
    }

    @Override
    public Map<String, String> runConfig() {
        Map<String, String> config = new LinkedHashMap<>(this.identity.runConfig());
        config.putAll(this.failure);
        return config;
    }

    @Override
    public String resumeFrom() {
        return this.properties.getRun().getResumeFrom();
    }

    @Override
    public boolean enabled() {
        return this.exporting;
    }

    @Override
    public Duration step() {
        return this.properties.getMetrics().getExport().getStep();
    }

    @Override
    public StepMode stepMode() {
        return this.properties.getMetrics().getExport().getStepMode();
    }

    @Override
    public PercentileWindow percentiles() {
        return this.properties.getMetrics().getExport().getPercentiles();
    }

    @Override
    public List<String> includeMeters() {
        return List.copyOf(this.properties.getMetrics().getExport().getInclude());
    }

    @Override
    public List<String> excludeMeters() {
        return List.copyOf(this.properties.getMetrics().getExport().getExclude());
    }

    @Override
    public int batchSize() {
        return this.properties.getMetrics().getExport().getBatchSize();
    }

    @Override
    public TimeUnit baseTimeUnit() {
        return this.properties.getMetrics().getExport().getBaseTimeUnit();
    }

    @Override
    @SuppressWarnings("deprecation")
    public Duration connectTimeout() {
        return this.properties.getConnectTimeout();
    }

    @Override
    @SuppressWarnings("deprecation")
    public Duration readTimeout() {
        return this.properties.getReadTimeout();
    }

    @Override
    public String spoolDirectory() {
        Path directory = this.properties.getSpoolDirectory();
        return ((directory != null) ? directory : Defaults.spoolDirectory()).toString();
    }

    @Override
    public Map<String, String> headers() {
        return Map.copyOf(this.properties.getHeaders());
    }

    @Override
    public Duration callTimeout() {
        return this.properties.getCallTimeout();
    }

    @Override
    public Duration shutdownTimeout() {
        return this.properties.getShutdownTimeout();
    }

    private static void check(DalvaProperties properties) {
        String serverUrl = properties.getServerUrl();
        if (serverUrl != null && !isHttpUrl(serverUrl)) {
            throw invalid("dalva.server-url", serverUrl, "must be an http or https URL, such as http://localhost:8000");
        }
        if (properties.getProject() != null && properties.getProject().isBlank()) {
            throw invalid("dalva.project", properties.getProject(), "must not be blank");
        }
        checkPositive("dalva.connect-timeout", properties.getConnectTimeout());
        checkPositive("dalva.read-timeout", properties.getReadTimeout());
        checkPositive("dalva.call-timeout", properties.getCallTimeout());
        checkPositive("dalva.shutdown-timeout", properties.getShutdownTimeout());
        checkPositive("dalva.metrics.export.step", properties.getMetrics().getExport().getStep());
        if (properties.getMetrics().getExport().getBatchSize() < 1) {
            throw invalid("dalva.metrics.export.batch-size", properties.getMetrics().getExport().getBatchSize(),
                    "must be positive");
        }
        if (properties.getRun().getResumeFrom() != null && properties.getRun().getResumeFrom().isBlank()) {
            throw invalid("dalva.run.resume-from", properties.getRun().getResumeFrom(), "must not be blank");
        }
        checkPatterns("dalva.metrics.export.include", properties.getMetrics().getExport().getInclude());
        checkPatterns("dalva.metrics.export.exclude", properties.getMetrics().getExport().getExclude());
        properties.getHeaders().forEach((name, value) -> {
            if (!isToken(name)) {
                throw invalid("dalva.headers[" + name + "]", value, "the header name must be an HTTP token");
            }
            if (value == null || value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
                throw invalid("dalva.headers[" + name + "]", value, "the header value must be one line");
            }
        });
    }

    private static void checkPositive(String name, Duration value) {
        if (value == null || value.isZero() || value.isNegative()) {
            throw invalid(name, value, "must be a positive duration");
        }
    }

    private static void checkPatterns(String name, List<String> patterns) {
        for (int i = 0; i < patterns.size(); i++) {
            if (patterns.get(i) == null || patterns.get(i).isBlank()) {
                throw invalid(name + "[" + i + "]", patterns.get(i), "must not be blank");
            }
        }
    }

    private static boolean isHttpUrl(String url) {
        try {
            URI uri = URI.create(url);
            return ("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme()))
                    && uri.getHost() != null;
        }
        catch (IllegalArgumentException ex) {
            return false;
        }
    }

    private static boolean isToken(String name) {
        if (name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c <= ' ' || c >= 127 || "()<>@,;:\\\"/[]?={}".indexOf(c) >= 0) {
                return false;
            }
        }
        return true;
    }

    private static InvalidConfigurationPropertyValueException invalid(String name, Object value, String reason) {
        return new InvalidConfigurationPropertyValueException(name, value, reason);
    }

}
