package io.dalva.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dalva.client.internal.Values;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class MetricsBufferTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void groupsValuesUnderFoldersAndWritesTheEventPayload() throws IOException {
        MetricsBuffer buffer = new MetricsBuffer();
        buffer.group(MetricsBuffer.key("http.requests/uri=∕a,method=GET"));
        buffer.value(MetricsBuffer.key("count"), 3);
        buffer.value(MetricsBuffer.key("sum"), 0.125);
        buffer.endGroup();
        buffer.value(MetricsBuffer.key("loss"), 1e-7);

        assertThat(buffer.values()).isEqualTo(3);
        assertThat(payload(buffer, 7)).isEqualTo(
                "{\"metrics\":{\"http.requests/uri=∕a,method=GET\":{\"count\":3.0,\"sum\":0.125},\"loss\":1.0E-7},\"step\":7}");
        Map<String, Object> flat = flat(buffer, 7);
        assertThat(flat).containsOnlyKeys("http.requests/uri=∕a,method=GET/count",
                "http.requests/uri=∕a,method=GET/sum", "loss");
        assertThat(flat.get("http.requests/uri=∕a,method=GET/count")).isEqualTo(3.0);
    }

    @Test
    void anEmptyFolderLeavesNoTrace() throws IOException {
        MetricsBuffer buffer = new MetricsBuffer();
        buffer.group(MetricsBuffer.key("empty/one"));
        buffer.group(MetricsBuffer.key("full"));
        buffer.value(MetricsBuffer.key("value"), -0.0);
        buffer.group(MetricsBuffer.key("empty/two"));
        buffer.endGroup();
        buffer.group(MetricsBuffer.key("empty/three"));

        assertThat(payload(buffer, 0)).isEqualTo("{\"metrics\":{\"full\":{\"value\":-0.0}},\"step\":0}");
        buffer.clear();
        buffer.group(MetricsBuffer.key("empty"));
        assertThat(buffer.isEmpty()).isTrue();
        assertThat(payload(buffer, 1)).isEqualTo("{\"metrics\":{},\"step\":1}");
    }

    @Test
    void namesAreEscapedAndValuesKeepTheirFloatType() throws IOException {
        MetricsBuffer buffer = new MetricsBuffer();
        buffer.value(MetricsBuffer.key("quote\"back\\slash\ttab"), 42);
        buffer.value(MetricsBuffer.key("big"), 1e300);
        buffer.value(MetricsBuffer.key("max"), Double.MAX_VALUE);

        Map<String, Object> flat = flat(buffer, 2);
        assertThat(flat).containsEntry("quote\"back\\slash\ttab", 42.0)
            .containsEntry("big", 1e300)
            .containsEntry("max", Double.MAX_VALUE);
        assertThat(payload(buffer, 2)).contains("42.0");
    }

    @Test
    void refusesNonFiniteValuesAndEmptyNames() {
        MetricsBuffer buffer = new MetricsBuffer();
        MetricsBuffer.Key key = MetricsBuffer.key("x");
        assertThatIllegalArgumentException().isThrownBy(() -> buffer.value(key, Double.NaN))
            .withMessageContaining("'x'");
        assertThatIllegalArgumentException().isThrownBy(() -> buffer.value(key, Double.NEGATIVE_INFINITY));
        assertThatIllegalArgumentException().isThrownBy(() -> MetricsBuffer.key(""));
        assertThatIllegalArgumentException().isThrownBy(() -> MetricsBuffer.key("a//b"));
        assertThat(buffer.isEmpty()).isTrue();
    }

    @Test
    void growsPastItsFirstArrayAndIsReusable() throws IOException {
        MetricsBuffer buffer = new MetricsBuffer();
        for (int round = 0; round < 2; round++) {
            buffer.clear();
            for (int i = 0; i < 5_000; i++) {
                buffer.group(MetricsBuffer.key("meter" + i));
                buffer.value(MetricsBuffer.key("count"), i + round);
                buffer.value(MetricsBuffer.key("mean"), i / 3.0);
            }
            Map<String, Object> flat = flat(buffer, round);
            assertThat(flat).hasSize(10_000);
            assertThat(flat.get("meter4999/count")).isEqualTo(4999.0 + round);
            assertThat(flat.get("meter10/mean")).isEqualTo(10 / 3.0);
        }
    }

    private static String payload(MetricsBuffer buffer, int step) {
        int length = buffer.payload(step);
        return new String(buffer.array(), 0, length, StandardCharsets.UTF_8);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> flat(MetricsBuffer buffer, int step) throws IOException {
        Map<String, Object> event = JSON.readValue(payload(buffer, step), LinkedHashMap.class);
        assertThat(event.get("step")).isEqualTo(step);
        return Values.flattenMetrics((Map<String, Object>) event.get("metrics"));
    }

}
