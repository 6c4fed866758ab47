package io.dalva.micrometer;

import io.micrometer.core.instrument.config.validate.InvalidReason;
import io.micrometer.core.instrument.config.validate.Validated;
import io.micrometer.core.instrument.push.PushRegistryConfig;

import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static io.micrometer.core.instrument.config.MeterRegistryConfigValidator.check;
import static io.micrometer.core.instrument.config.MeterRegistryConfigValidator.checkAll;
import static io.micrometer.core.instrument.config.MeterRegistryConfigValidator.checkRequired;
import static io.micrometer.core.instrument.config.validate.PropertyValidator.getDuration;
import static io.micrometer.core.instrument.config.validate.PropertyValidator.getEnum;
import static io.micrometer.core.instrument.config.validate.PropertyValidator.getString;
import static io.micrometer.core.instrument.config.validate.PropertyValidator.getStringMap;
import static io.micrometer.core.instrument.config.validate.PropertyValidator.getTimeUnit;
import static io.micrometer.core.instrument.config.validate.PropertyValidator.getUrlString;

/**
 * Configuration for {@link DalvaMeterRegistry}. Every property has a default (see each
 * method) and is read through {@link #get(String)} under the {@link #prefix()}
 * {@code dalva} (for example {@code dalva.project}); {@link #validate()} reports every
 * invalid property at once.
 */
public interface DalvaConfig extends PushRegistryConfig {

    /**
     * Accepts every default. Not valid on its own: {@link #project()} is required.
     */
    DalvaConfig DEFAULT = k -> null;

    /**
     * Environment variable read for the default {@link #serverUrl()}, as Dalva's Python
     * SDK does.
     */
    String SERVER_URL_ENV = "DALVA_SERVER_URL";

    /** Server URL used when neither the property nor {@value #SERVER_URL_ENV} is set. */
    String DEFAULT_SERVER_URL = "http://localhost:8000";

    @Override
    default String prefix() {
        return "dalva";
    }

    /**
     * @return the Dalva server's base URL. Default: the {@code DALVA_SERVER_URL}
     * environment variable, else {@code http://localhost:8000}.
     */
    default String serverUrl() {
        return getUrlString(this, "serverUrl").orElseGet(() -> {
            String fromEnv = System.getenv(SERVER_URL_ENV);
            return fromEnv == null || fromEnv.isBlank() ? DEFAULT_SERVER_URL : fromEnv.trim();
        });
    }

    /**
     * @return the Dalva project the run belongs to (created on first use). Required, no
     * default.
     */
    default String project() {
        return getString(this, "project").orElse(null);
    }

    /**
     * @return the name of the run. Default: {@code null} (the server names it).
     */
    default String runName() {
        return getString(this, "runName").orElse(null);
    }

    /**
     * @return run configuration stored with the run when it is opened, read from
     * {@code key1=value1,key2=value2}. Default: empty.
     */
    default Map<String, String> runConfig() {
        return getStringMap(this, "runConfig", v -> v).orElse(Collections.emptyMap());
    }

    /**
     * @return the {@code run_id} (for example {@code "DEM-7"}) of an existing run to
     * resume; its steps continue after its highest step. Default: {@code null} (a new
     * run).
     */
    default String resumeFrom() {
        return getString(this, "resumeFrom").orElse(null);
    }

    /**
     * @return the interval between two Dalva steps in {@link StepMode#TIMED} mode.
     * Default: 10 seconds.
     */
    @Override
    default Duration step() {
        return getDuration(this, "step").orElse(Duration.ofSeconds(10));
    }

    /**
     * @return when steps are published. Default: {@link StepMode#TIMED}.
     */
    default StepMode stepMode() {
        return getEnum(this, StepMode.class, "stepMode").orElse(StepMode.TIMED);
    }

    /**
     * @return meter-name patterns to publish ({@code *} matches any characters,
     * comma-separated); a meter is published when its name matches one of them. Default:
     * empty, meaning every meter.
     */
    default List<String> includeMeters() {
        return getString(this, "includeMeters").map(DalvaConfig::patterns).orElse(Collections.emptyList());
    }

    /**
     * @return meter-name patterns never to publish ({@code *} matches any characters,
     * comma-separated); wins over {@link #includeMeters()}. Default: empty.
     */
    default List<String> excludeMeters() {
        return getString(this, "excludeMeters").map(DalvaConfig::patterns).orElse(Collections.emptyList());
    }

    /**
     * @return the timeout for connecting to the server. Default: 5 seconds.
     */
    @Override
    @SuppressWarnings("deprecation")
    default Duration connectTimeout() {
        return getDuration(this, "connectTimeout").orElse(Duration.ofSeconds(5));
    }

    /**
     * @return the timeout for reading a response from the server. Default: 30 seconds
     * (the real server takes about 5 ms per value).
     */
    @Override
    @SuppressWarnings("deprecation")
    default Duration readTimeout() {
        return getDuration(this, "readTimeout").orElse(Duration.ofSeconds(30));
    }

    /**
     * @return the folder that holds the run's journal (the spool) until the server has
     * stored every step. Default: {@code null}, meaning {@code DalvaRun}'s default (the
     * system property {@code dalva.spool.directory}, else {@code ~/.dalva/java-spool}).
     */
    default String spoolDirectory() {
        return getString(this, "spoolDirectory").orElse(null);
    }

    /**
     * @return the most {@link DalvaMeterRegistry#close()} waits for the server to store
     * the last steps and finish the run; what is left stays in the spool. Default: 5
     * seconds.
     */
    default Duration shutdownTimeout() {
        return getDuration(this, "shutdownTimeout").orElse(Duration.ofSeconds(5));
    }

    /**
     * @return the unit of every time value the registry writes (timer sums, means,
     * maxima, percentiles, buckets; time gauges; long task durations). Default:
     * {@link TimeUnit#SECONDS}.
     */
    default TimeUnit baseTimeUnit() {
        return getTimeUnit(this, "baseTimeUnit").orElse(TimeUnit.SECONDS);
    }

    /**
     * @return the most values one request carries; a step with more values is split into
     * several requests, all at that same step. Default: 10,000.
     */
    @Override
    default int batchSize() {
        return PushRegistryConfig.super.batchSize();
    }

    @Override
    default Validated<?> validate() {
        return checkAll(this, c -> PushRegistryConfig.validate(c),
                checkRequired("project", DalvaConfig::project).andThen(Validated::nonBlank),
                checkRequired("serverUrl", DalvaConfig::serverUrl).andThen(v -> v.invalidateWhen(url -> !isHttpUrl(url),
                        "must be an http or https URL", InvalidReason.MALFORMED)),
                check("step", DalvaConfig::step)
                    .andThen(v -> v.invalidateWhen(step -> step == null || step.isNegative() || step.isZero(),
                            "must be positive", InvalidReason.MALFORMED)),
                check("batchSize", DalvaConfig::batchSize)
                    .andThen(v -> v.invalidateWhen(size -> size < 1, "must be positive", InvalidReason.MALFORMED)),
                checkRequired("stepMode", DalvaConfig::stepMode), check("runName", DalvaConfig::runName),
                check("runConfig", DalvaConfig::runConfig), check("resumeFrom", DalvaConfig::resumeFrom),
                check("includeMeters", DalvaConfig::includeMeters), check("excludeMeters", DalvaConfig::excludeMeters),
                check("spoolDirectory", DalvaConfig::spoolDirectory).andThen(v -> v
                    .invalidateWhen(dir -> dir != null && dir.isBlank(), "must not be blank", InvalidReason.MALFORMED)),
                check("shutdownTimeout", DalvaConfig::shutdownTimeout).andThen(
                        v -> v.invalidateWhen(timeout -> timeout == null || timeout.isNegative() || timeout.isZero(),
                                "must be positive", InvalidReason.MALFORMED)),
                checkRequired("baseTimeUnit", DalvaConfig::baseTimeUnit));
    }

    private static List<String> patterns(String commaSeparated) {
        if (commaSeparated == null) {
            return null;
        }
        return Arrays.stream(commaSeparated.split(","))
            .map(String::trim)
            .filter(p -> !p.isEmpty())
            .collect(Collectors.toUnmodifiableList());
    }

    private static boolean isHttpUrl(String url) {
        try {
            URI uri = URI.create(url);
            return ("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme()))
                    && uri.getHost() != null;
        }
        catch (IllegalArgumentException e) {
            return false;
        }
    }

}
