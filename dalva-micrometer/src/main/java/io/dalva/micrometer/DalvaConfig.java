package io.dalva.micrometer;

import io.dalva.client.internal.Defaults;
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
import static io.micrometer.core.instrument.config.validate.PropertyValidator.getBoolean;
import static io.micrometer.core.instrument.config.validate.PropertyValidator.getDuration;
import static io.micrometer.core.instrument.config.validate.PropertyValidator.getEnum;
import static io.micrometer.core.instrument.config.validate.PropertyValidator.getInteger;
import static io.micrometer.core.instrument.config.validate.PropertyValidator.getString;
import static io.micrometer.core.instrument.config.validate.PropertyValidator.getStringMap;
import static io.micrometer.core.instrument.config.validate.PropertyValidator.getTimeUnit;
import static io.micrometer.core.instrument.config.validate.PropertyValidator.getUrlString;

/**
 * Configuration for {@link DalvaMeterRegistry}. Every property has a default (see each
 * method) and is read through {@link #get(String)} under the {@link #prefix()}
 * {@code dalva} (for example {@code dalva.project}, {@code dalva.run.name},
 * {@code dalva.metrics.export.step}: the names of the Spring Boot properties, in camel
 * case); defaults come from {@link Defaults}. {@link #validate()} reports every invalid
 * property at once.
 */
public interface DalvaConfig extends PushRegistryConfig {

    /**
     * Accepts every default. Not valid on its own: {@link #project()} is required.
     */
    DalvaConfig DEFAULT = k -> null;

    @Override
    default String prefix() {
        return "dalva";
    }

    /**
     * @return the Dalva server's base URL. Default: the {@code DALVA_SERVER_URL}
     * environment variable, else {@code http://localhost:8000}.
     */
    default String serverUrl() {
        return getUrlString(this, "serverUrl").orElseGet(Defaults::serverUrl);
    }

    /**
     * @return the Dalva project the run belongs to (created on first use). Required, no
     * default.
     */
    default String project() {
        return getString(this, "project").orElse(null);
    }

    /**
     * @return HTTP headers sent with every request of the registry's own client (for
     * example a proxy's token), read from {@code Name1=value1,Name2=value2}. Default:
     * none.
     */
    default Map<String, String> headers() {
        return getStringMap(this, "headers", v -> v).orElse(Collections.emptyMap());
    }

    /**
     * @return the name of the run ({@code dalva.run.name}). Default: {@code null} (the
     * server names it).
     */
    default String runName() {
        return getString(this, "run.name").orElse(null);
    }

    /**
     * @return run configuration stored with the run when it is opened
     * ({@code dalva.run.config}), read from {@code key1=value1,key2=value2}. Default:
     * empty.
     */
    default Map<String, String> runConfig() {
        return getStringMap(this, "run.config", v -> v).orElse(Collections.emptyMap());
    }

    /**
     * @return the {@code run_id} (for example {@code "DEM-7"}) of an existing run to
     * resume ({@code dalva.run.resumeFrom}); its steps continue after its highest step.
     * Default: {@code null} (a new run).
     */
    default String resumeFrom() {
        return getString(this, "run.resumeFrom").orElse(null);
    }

    /**
     * @return whether the registry opens a run and publishes
     * ({@code dalva.metrics.export.enabled}). Default: {@code true}.
     */
    @Override
    default boolean enabled() {
        return getBoolean(this, "metrics.export.enabled").orElse(true);
    }

    /**
     * @return the interval between two Dalva steps in {@link StepMode#TIMED} mode
     * ({@code dalva.metrics.export.step}). Default: {@link Defaults#STEP}, 10 seconds.
     */
    @Override
    default Duration step() {
        return getDuration(this, "metrics.export.step").orElse(Defaults.STEP);
    }

    /**
     * @return when steps are published ({@code dalva.metrics.export.stepMode}). Default:
     * {@link StepMode#TIMED}.
     */
    default StepMode stepMode() {
        return getEnum(this, StepMode.class, "metrics.export.stepMode").orElse(StepMode.TIMED);
    }

    /**
     * @return which recordings the percentiles of timers and distribution summaries
     * ({@code p99} fields) cover ({@code dalva.metrics.export.percentiles}):
     * {@link PercentileWindow#STEP}, exactly the step, like {@code count}, {@code sum}
     * and {@code max}; or {@link PercentileWindow#WINDOW}, Micrometer's time-window
     * histogram. Default: {@link PercentileWindow#STEP}.
     */
    default PercentileWindow percentiles() {
        return getEnum(this, PercentileWindow.class, "metrics.export.percentiles").orElse(PercentileWindow.STEP);
    }

    /**
     * @return meter-name patterns to publish ({@code dalva.metrics.export.include};
     * {@code *} matches any characters, comma-separated); a meter is published when its
     * name matches one of them. Default: empty, meaning every meter.
     */
    default List<String> includeMeters() {
        return getString(this, "metrics.export.include").map(DalvaConfig::patterns).orElse(Collections.emptyList());
    }

    /**
     * @return meter-name patterns never to publish ({@code dalva.metrics.export.exclude};
     * {@code *} matches any characters, comma-separated); wins over
     * {@link #includeMeters()}. Default: empty.
     */
    default List<String> excludeMeters() {
        return getString(this, "metrics.export.exclude").map(DalvaConfig::patterns).orElse(Collections.emptyList());
    }

    /**
     * @return the timeout for connecting to the server. Default:
     * {@link Defaults#CONNECT_TIMEOUT}, 5 seconds.
     */
    @Override
    @SuppressWarnings("deprecation")
    default Duration connectTimeout() {
        return getDuration(this, "connectTimeout").orElse(Defaults.CONNECT_TIMEOUT);
    }

    /**
     * @return the timeout for reading a response from the server. Default:
     * {@link Defaults#READ_TIMEOUT}, 30 seconds (the real server takes about 5 ms per
     * value).
     */
    @Override
    @SuppressWarnings("deprecation")
    default Duration readTimeout() {
        return getDuration(this, "readTimeout").orElse(Defaults.READ_TIMEOUT);
    }

    /**
     * @return the most one whole request may take. Default:
     * {@link Defaults#CALL_TIMEOUT}, 60 seconds.
     */
    default Duration callTimeout() {
        return getDuration(this, "callTimeout").orElse(Defaults.CALL_TIMEOUT);
    }

    /**
     * @return the folder that holds the run's journal (the spool) until the server has
     * stored every step. Default: {@link Defaults#spoolDirectory()} (the system property
     * {@code dalva.spool.directory}, else {@code ~/.dalva/java-spool}).
     */
    default String spoolDirectory() {
        return getString(this, "spoolDirectory").orElseGet(() -> Defaults.spoolDirectory().toString());
    }

    /**
     * @return the most {@link DalvaMeterRegistry#close()} waits for the server to store
     * the last steps and finish the run; what is left stays in the spool. Default: 5
     * seconds ({@link Defaults#SHUTDOWN_TIMEOUT}).
     */
    default Duration shutdownTimeout() {
        return getDuration(this, "shutdownTimeout").orElse(Defaults.SHUTDOWN_TIMEOUT);
    }

    /**
     * @return the unit of every time value the registry writes (timer sums, means,
     * maxima, percentiles, buckets; time gauges; long task durations;
     * {@code dalva.metrics.export.baseTimeUnit}). Default: {@link TimeUnit#SECONDS}.
     */
    default TimeUnit baseTimeUnit() {
        return getTimeUnit(this, "metrics.export.baseTimeUnit").orElse(TimeUnit.SECONDS);
    }

    /**
     * @return the most values one request carries
     * ({@code dalva.metrics.export.batchSize}): the run's sender sizes requests to about
     * 1.5 s of the server's measured time per value, at most this; a bigger step goes in
     * several requests, all at that same step. Default: 10,000, Micrometer's.
     */
    @Override
    default int batchSize() {
        return getInteger(this, "metrics.export.batchSize").orElse(10_000);
    }

    @Override
    default Validated<?> validate() {
        return checkAll(this, check("metrics.export.enabled", DalvaConfig::enabled),
                checkRequired("project", DalvaConfig::project).andThen(Validated::nonBlank),
                checkRequired("serverUrl", DalvaConfig::serverUrl).andThen(v -> v.invalidateWhen(url -> !isHttpUrl(url),
                        "must be an http or https URL", InvalidReason.MALFORMED)),
                check("metrics.export.step", DalvaConfig::step)
                    .andThen(v -> v.invalidateWhen(step -> step == null || step.isNegative() || step.isZero(),
                            "must be positive", InvalidReason.MALFORMED)),
                check("metrics.export.batchSize", DalvaConfig::batchSize)
                    .andThen(v -> v.invalidateWhen(size -> size < 1, "must be positive", InvalidReason.MALFORMED)),
                checkRequired("metrics.export.stepMode", DalvaConfig::stepMode),
                checkRequired("metrics.export.percentiles", DalvaConfig::percentiles),
                check("run.name", DalvaConfig::runName), check("run.config", DalvaConfig::runConfig),
                check("run.resumeFrom", DalvaConfig::resumeFrom), check("headers", DalvaConfig::headers),
                check("metrics.export.include", DalvaConfig::includeMeters),
                check("metrics.export.exclude", DalvaConfig::excludeMeters),
                check("connectTimeout", DalvaConfig::connectTimeout).andThen(DalvaConfig::positive),
                check("readTimeout", DalvaConfig::readTimeout).andThen(DalvaConfig::positive),
                check("callTimeout", DalvaConfig::callTimeout).andThen(DalvaConfig::positive),
                check("spoolDirectory", DalvaConfig::spoolDirectory).andThen(v -> v
                    .invalidateWhen(dir -> dir != null && dir.isBlank(), "must not be blank", InvalidReason.MALFORMED)),
                check("shutdownTimeout", DalvaConfig::shutdownTimeout).andThen(
                        v -> v.invalidateWhen(timeout -> timeout == null || timeout.isNegative() || timeout.isZero(),
                                "must be positive", InvalidReason.MALFORMED)),
                checkRequired("metrics.export.baseTimeUnit", DalvaConfig::baseTimeUnit));
    }

    private static Validated<Duration> positive(Validated<Duration> duration) {
        return duration.invalidateWhen(d -> d == null || d.isNegative() || d.isZero(), "must be positive",
                InvalidReason.MALFORMED);
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
