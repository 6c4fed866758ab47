package io.dalva.spring;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dalva.client.internal.Defaults;
import io.dalva.internal.delivery.DeliveryOptions;
import io.dalva.micrometer.DalvaConfig;
import org.junit.jupiter.api.Test;

import org.springframework.boot.convert.DurationStyle;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The configuration metadata that IDEs read to complete {@code dalva.*} properties is in
 * the jar, with a description for every property, every default and hints; and the
 * defaults agree everywhere: {@link Defaults}, {@link DalvaConfig}, {@code DalvaRun}'s
 * builder (its {@link DeliveryOptions}), the bound {@link DalvaProperties} and the
 * metadata.
 */
class ConfigurationMetadataTests {

    private final JsonNode metadata = read();

    @Test
    void everyPropertyIsDescribed() {
        List<String> names = new ArrayList<>();
        for (JsonNode property : this.metadata.get("properties")) {
            names.add(property.get("name").asText());
            assertThat(property.path("description").asText()).as(property.get("name").asText()).isNotBlank();
        }
        assertThat(names).contains("dalva.server-url", "dalva.project", "dalva.headers", "dalva.connect-timeout",
                "dalva.read-timeout", "dalva.call-timeout", "dalva.shutdown-timeout", "dalva.spool-directory",
                "dalva.run.name", "dalva.run.resume-from", "dalva.run.config", "dalva.metrics.export.enabled",
                "dalva.metrics.export.step", "dalva.metrics.export.step-mode", "dalva.metrics.export.percentiles",
                "dalva.metrics.export.include", "dalva.metrics.export.exclude", "dalva.metrics.export.batch-size",
                "dalva.metrics.export.base-time-unit", "management.health.dalva.enabled",
                "management.info.dalva.enabled");
    }

    @Test
    void defaultsAgreeEverywhere() {
        DalvaProperties properties = new DalvaProperties();
        DalvaConfig config = DalvaConfig.DEFAULT;
        assertThat(duration("dalva.connect-timeout")).isEqualTo(Defaults.CONNECT_TIMEOUT)
            .isEqualTo(properties.getConnectTimeout())
            .isEqualTo(connectTimeout(config));
        assertThat(duration("dalva.read-timeout")).isEqualTo(Defaults.READ_TIMEOUT)
            .isEqualTo(properties.getReadTimeout())
            .isEqualTo(readTimeout(config));
        assertThat(duration("dalva.call-timeout")).isEqualTo(Defaults.CALL_TIMEOUT)
            .isEqualTo(properties.getCallTimeout())
            .isEqualTo(config.callTimeout());
        assertThat(duration("dalva.shutdown-timeout")).isEqualTo(Defaults.SHUTDOWN_TIMEOUT)
            .isEqualTo(properties.getShutdownTimeout())
            .isEqualTo(config.shutdownTimeout())
            .isEqualTo(DeliveryOptions.DEFAULT.shutdownTimeout());
        assertThat(duration("dalva.metrics.export.step")).isEqualTo(Defaults.STEP)
            .isEqualTo(properties.getMetrics().getExport().getStep())
            .isEqualTo(config.step());
        assertThat(defaultOf("dalva.server-url").asText()).isEqualTo(Defaults.SERVER_URL);
        assertThat(defaultOf("dalva.spool-directory").asText()).isEqualTo("~/.dalva/java-spool");
        assertThat(config.spoolDirectory()).isEqualTo(Defaults.spoolDirectory().toString());
        assertThat(defaultOf("dalva.project").asText()).isEqualTo(DalvaMetricsExportAutoConfiguration.DEFAULT_PROJECT);
        assertThat(defaultOf("dalva.metrics.export.batch-size").asInt())
            .isEqualTo(properties.getMetrics().getExport().getBatchSize())
            .isEqualTo(config.batchSize());
        assertThat(defaultOf("dalva.metrics.export.step-mode").asText())
            .isEqualTo(properties.getMetrics().getExport().getStepMode().name().toLowerCase(Locale.ROOT))
            .isEqualTo(config.stepMode().name().toLowerCase(Locale.ROOT));
        assertThat(defaultOf("dalva.metrics.export.percentiles").asText())
            .isEqualTo(properties.getMetrics().getExport().getPercentiles().name().toLowerCase(Locale.ROOT))
            .isEqualTo(config.percentiles().name().toLowerCase(Locale.ROOT));
        assertThat(defaultOf("dalva.metrics.export.base-time-unit").asText())
            .isEqualTo(properties.getMetrics().getExport().getBaseTimeUnit().name().toLowerCase(Locale.ROOT))
            .isEqualTo(config.baseTimeUnit().name().toLowerCase(Locale.ROOT));
        assertThat(defaultOf("dalva.metrics.export.enabled").asBoolean()).isTrue();
        assertThat(properties.getMetrics().getExport().isEnabled()).isTrue();
    }

    @Test
    void enumeratedValuesHaveHints() {
        assertThat(hintValues("dalva.metrics.export.step-mode")).containsExactly("timed", "manual");
        assertThat(hintValues("dalva.metrics.export.percentiles")).containsExactly("step", "window");
        assertThat(hintValues("dalva.metrics.export.base-time-unit")).contains("seconds", "milliseconds");
    }

    @SuppressWarnings("deprecation")
    private static java.time.Duration connectTimeout(DalvaConfig config) {
        return config.connectTimeout();
    }

    @SuppressWarnings("deprecation")
    private static java.time.Duration readTimeout(DalvaConfig config) {
        return config.readTimeout();
    }

    private java.time.Duration duration(String name) {
        return DurationStyle.detectAndParse(defaultOf(name).asText());
    }

    private JsonNode defaultOf(String name) {
        for (JsonNode property : this.metadata.get("properties")) {
            if (property.get("name").asText().equals(name)) {
                assertThat(property.has("defaultValue")).as("default of " + name).isTrue();
                return property.get("defaultValue");
            }
        }
        throw new AssertionError(name + " not in the metadata");
    }

    private List<String> hintValues(String name) {
        List<String> values = new ArrayList<>();
        for (JsonNode hint : this.metadata.get("hints")) {
            if (hint.get("name").asText().equals(name)) {
                hint.get("values").forEach((value) -> values.add(value.get("value").asText()));
            }
        }
        return values;
    }

    private static JsonNode read() {
        try (InputStream in = DalvaProperties.class.getClassLoader()
            .getResourceAsStream("META-INF/spring-configuration-metadata.json")) {
            assertThat(in).as("metadata generated by spring-boot-configuration-processor").isNotNull();
            return new ObjectMapper().readTree(in);
        }
        catch (java.io.IOException ex) {
            throw new java.io.UncheckedIOException(ex);
        }
    }

}
