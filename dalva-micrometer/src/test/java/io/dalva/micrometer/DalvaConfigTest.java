package io.dalva.micrometer;

import io.dalva.client.internal.Defaults;
import io.micrometer.core.instrument.config.validate.Validated;
import io.micrometer.core.instrument.config.validate.ValidationException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DalvaConfigTest {

    private final Map<String, String> props = new HashMap<>();

    private final DalvaConfig config = props::get;

    @Test
    void defaults() {
        props.put("dalva.project", "demo");

        assertThat(config.prefix()).isEqualTo("dalva");
        assertThat(config.project()).isEqualTo("demo");
        assertThat(config.runName()).isNull();
        assertThat(config.runConfig()).isEmpty();
        assertThat(config.resumeFrom()).isNull();
        assertThat(config.step()).isEqualTo(Defaults.STEP).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.stepMode()).isEqualTo(StepMode.TIMED);
        assertThat(config.percentiles()).isEqualTo(PercentileWindow.STEP);
        assertThat(config.includeMeters()).isEmpty();
        assertThat(config.excludeMeters()).isEmpty();
        assertThat(config.headers()).isEmpty();
        assertThat(config.connectTimeout()).isEqualTo(Defaults.CONNECT_TIMEOUT).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.readTimeout()).isEqualTo(Defaults.READ_TIMEOUT).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.callTimeout()).isEqualTo(Defaults.CALL_TIMEOUT);
        assertThat(config.shutdownTimeout()).isEqualTo(Defaults.SHUTDOWN_TIMEOUT);
        assertThat(config.spoolDirectory()).isEqualTo(Defaults.spoolDirectory().toString());
        assertThat(config.baseTimeUnit()).isEqualTo(TimeUnit.SECONDS);
        assertThat(config.batchSize()).isEqualTo(10_000);
        assertThat(config.enabled()).isTrue();
        assertThat(config.serverUrl()).isEqualTo(Defaults.serverUrl());
        assertThat(config.validate().isValid()).isTrue();
    }

    @Test
    void readsEveryProperty() {
        props.put("dalva.project", "demo");
        props.put("dalva.serverUrl", "https://dalva.example:8443");
        props.put("dalva.run.name", "nightly");
        props.put("dalva.run.config", "lr=0.01, optimizer=adam");
        props.put("dalva.run.resumeFrom", "DEM-7");
        props.put("dalva.metrics.export.step", "30s");
        props.put("dalva.metrics.export.stepMode", "manual");
        props.put("dalva.metrics.export.percentiles", "window");
        props.put("dalva.metrics.export.include", "jvm.*, http.server.requests");
        props.put("dalva.metrics.export.exclude", "jvm.gc.*");
        props.put("dalva.connectTimeout", "1s");
        props.put("dalva.readTimeout", "2s");
        props.put("dalva.callTimeout", "3s");
        props.put("dalva.headers", "Authorization=Bearer abc, X-Team=ml");
        props.put("dalva.metrics.export.baseTimeUnit", "milliseconds");
        props.put("dalva.metrics.export.batchSize", "500");
        props.put("dalva.spoolDirectory", "/var/spool/dalva");
        props.put("dalva.shutdownTimeout", "12s");

        assertThat(config.serverUrl()).isEqualTo("https://dalva.example:8443");
        assertThat(config.runName()).isEqualTo("nightly");
        assertThat(config.runConfig()).containsExactlyInAnyOrderEntriesOf(Map.of("lr", "0.01", "optimizer", "adam"));
        assertThat(config.resumeFrom()).isEqualTo("DEM-7");
        assertThat(config.step()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.stepMode()).isEqualTo(StepMode.MANUAL);
        assertThat(config.percentiles()).isEqualTo(PercentileWindow.WINDOW);
        assertThat(config.includeMeters()).containsExactly("jvm.*", "http.server.requests");
        assertThat(config.excludeMeters()).containsExactly("jvm.gc.*");
        assertThat(config.connectTimeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(config.readTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(config.callTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(config.headers())
            .containsExactlyInAnyOrderEntriesOf(Map.of("Authorization", "Bearer abc", "X-Team", "ml"));
        assertThat(config.baseTimeUnit()).isEqualTo(TimeUnit.MILLISECONDS);
        assertThat(config.batchSize()).isEqualTo(500);
        assertThat(config.spoolDirectory()).isEqualTo("/var/spool/dalva");
        assertThat(config.shutdownTimeout()).isEqualTo(Duration.ofSeconds(12));
        assertThat(config.validate().isValid()).isTrue();
    }

    @Test
    void shutdownTimeoutMustBePositive() {
        props.put("dalva.project", "demo");
        props.put("dalva.shutdownTimeout", "0s");

        assertThat(config.validate().failures())
            .anySatisfy(failure -> assertThat(failure.getProperty()).isEqualTo("dalva.shutdownTimeout"));
    }

    @Test
    void projectIsRequired() {
        assertThat(failures(config)).containsExactly("dalva.project: is required");
        props.put("dalva.project", "  ");
        assertThat(failures(config)).containsExactly("dalva.project: cannot be blank");
    }

    @Test
    void malformedUrlIsRejected() {
        props.put("dalva.project", "demo");
        props.put("dalva.serverUrl", "not a url");
        assertThat(failures(config)).containsExactly("dalva.serverUrl: must be a valid URL");
    }

    @Test
    void urlSetInCodeIsCheckedToo() {
        DalvaConfig inCode = new DalvaConfig() {
            @Override
            public String get(String key) {
                return null;
            }

            @Override
            public String project() {
                return "demo";
            }

            @Override
            public String serverUrl() {
                return "ftp://example.com";
            }
        };
        assertThat(failures(inCode)).containsExactly("dalva.serverUrl: must be an http or https URL");
    }

    @Test
    void stepMustBePositive() {
        props.put("dalva.project", "demo");
        props.put("dalva.metrics.export.step", "0s");
        assertThat(failures(config)).containsExactly("dalva.metrics.export.step: must be positive");
        DalvaConfig negative = new DalvaConfig() {
            @Override
            public String get(String key) {
                return "dalva.project".equals(key) ? "demo" : null;
            }

            @Override
            public Duration step() {
                return Duration.ofSeconds(-5);
            }
        };
        assertThat(failures(negative)).containsExactly("dalva.metrics.export.step: must be positive");
    }

    @Test
    void unknownStepModeNamesTheChoices() {
        props.put("dalva.project", "demo");
        props.put("dalva.metrics.export.stepMode", "sometimes");
        assertThat(failures(config))
            .containsExactly("dalva.metrics.export.stepMode: should be one of 'TIMED', 'MANUAL'");
    }

    @Test
    void unknownPercentileWindowNamesTheChoices() {
        props.put("dalva.project", "demo");
        props.put("dalva.metrics.export.percentiles", "hourly");
        assertThat(failures(config))
            .containsExactly("dalva.metrics.export.percentiles: should be one of 'STEP', 'WINDOW'");
    }

    @Test
    void everyFailureIsReportedAtOnce() {
        props.put("dalva.serverUrl", "::");
        props.put("dalva.metrics.export.step", "0s");
        props.put("dalva.metrics.export.batchSize", "0");
        assertThat(failures(config)).containsExactlyInAnyOrder("dalva.project: is required",
                "dalva.serverUrl: must be a valid URL", "dalva.metrics.export.step: must be positive",
                "dalva.metrics.export.batchSize: must be positive");
        assertThatThrownBy(config::requireValid).isInstanceOf(ValidationException.class)
            .hasMessageContaining("dalva.project")
            .hasMessageContaining("dalva.metrics.export.step");
    }

    @Test
    void timeoutsMustBePositive() {
        props.put("dalva.project", "demo");
        props.put("dalva.connectTimeout", "0s");
        props.put("dalva.readTimeout", "0ns");
        props.put("dalva.callTimeout", "0ms");
        assertThat(failures(config)).containsExactlyInAnyOrder("dalva.connectTimeout: must be positive",
                "dalva.readTimeout: must be positive", "dalva.callTimeout: must be positive");
    }

    @Test
    void theOldKeysAreNotReadAnyMore() {
        props.put("dalva.project", "demo");
        props.put("dalva.step", "1s");
        props.put("dalva.stepMode", "manual");
        props.put("dalva.runName", "old");
        assertThat(config.step()).isEqualTo(Defaults.STEP);
        assertThat(config.stepMode()).isEqualTo(StepMode.TIMED);
        assertThat(config.runName()).isNull();
    }

    private static List<String> failures(DalvaConfig config) {
        Validated<?> validated = config.validate();
        return StreamSupport.stream(validated.failures().spliterator(), false)
            .map(f -> f.getProperty() + ": " + ((Validated.Invalid<?>) f).getMessage())
            .distinct()
            .collect(Collectors.toList());
    }

}
