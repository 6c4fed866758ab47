package io.dalva.run;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class MetricsMapEncoderTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final MetricsMapEncoder encoder = new MetricsMapEncoder(new UnchartablePaths());

    @Test
    void encodesEveryScalarTypeAsTheServerReadsIt() throws IOException {
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("loss", 0.25);
        metrics.put("integral", 3.0);
        metrics.put("tiny", 1e-7);
        metrics.put("epoch", 7);
        metrics.put("short", (short) -3);
        metrics.put("byte", (byte) 5);
        metrics.put("tokens", (long) Integer.MIN_VALUE);
        metrics.put("lr", 0.1f);
        metrics.put("done", true);
        metrics.put("phase", "warm-up");

        assertThat(text(metrics, 12)).isEqualTo("{\"metrics\":{\"loss\":0.25,\"integral\":3.0,\"tiny\":1.0E-7,"
                + "\"epoch\":7,\"short\":-3,\"byte\":5,\"tokens\":-2147483648,\"lr\":0.1,\"done\":true,"
                + "\"phase\":\"warm-up\"},\"step\":12}");
        assertThat(encoder.values()).isEqualTo(10);
        assertThat(text(Map.of("final", 1), MetricsMapEncoder.NO_STEP))
            .isEqualTo("{\"metrics\":{\"final\":1},\"step\":null}");
    }

    @Test
    void escapesKeysAndStringsAsJsonInUtf8() throws IOException {
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("quote\"back\\slash\ttab\u0001", "line\nbreak");
        metrics.put("é/∕/漢字/😀", "🙂");
        metrics.put("lone\ud800surrogate", 1.5);

        Map<String, Object> parsed = parse(metrics, 0);
        assertThat(parsed).containsOnlyKeys("quote\"back\\slash\ttab\u0001", "é/∕/漢字/😀", "lone?surrogate");
        assertThat(parsed.get("quote\"back\\slash\ttab\u0001")).isEqualTo("line\nbreak");
        assertThat(parsed.get("é/∕/漢字/😀")).isEqualTo("🙂");
    }

    @Test
    void nestedMapsAreJoinedWithASlashAndAPathGivenTwiceIsRefused() throws IOException {
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("epoch", 1);
        metrics.put("train", Map.of("loss", 0.5));
        assertThat(text(metrics, 3)).isEqualTo("{\"metrics\":{\"epoch\":1,\"train/loss\":0.5},\"step\":3}");

        Map<String, Object> twice = new LinkedHashMap<>();
        twice.put("train/loss", 0.5);
        twice.put("train", Map.of("loss", 0.6));
        assertThatIllegalArgumentException().isThrownBy(() -> encoder.encode(twice, 0))
            .withMessageContaining("'train/loss' is given twice");
    }

    @Test
    void refusesWhatDalvaCannotStoreNamingThePath() {
        assertThatIllegalArgumentException().isThrownBy(() -> encoder.encode(Map.of("loss", Double.NaN), 0))
            .withMessage("metric 'loss' is NaN: only finite numbers can be stored");
        assertThatIllegalArgumentException()
            .isThrownBy(() -> encoder.encode(Map.of("loss", Float.NEGATIVE_INFINITY), 0))
            .withMessage("metric 'loss' is -Infinity: only finite numbers can be stored");
        assertThatIllegalArgumentException().isThrownBy(() -> encoder.encode(Map.of("tokens", 3_000_000_000L), 0))
            .withMessageContaining("'tokens' is 3000000000, outside the 32-bit range");
        assertThatIllegalArgumentException().isThrownBy(() -> encoder.encode(Map.of("price", BigDecimal.ONE), 0))
            .withMessageContaining("'price' has unsupported type java.math.BigDecimal");
        assertThatIllegalArgumentException().isThrownBy(() -> encoder.encode(Map.of("list", List.of(1)), 0))
            .withMessageContaining("'list' has unsupported type");
        Map<String, Object> withNull = new HashMap<>();
        withNull.put("loss", null);
        assertThatIllegalArgumentException().isThrownBy(() -> encoder.encode(withNull, 0))
            .withMessage("metric 'loss' is null");
        for (String key : List.of("", "/a", "a/", "a//b")) {
            assertThatIllegalArgumentException().isThrownBy(() -> encoder.encode(Map.of(key, 1), 0))
                .withMessageContaining("is empty or has an empty segment");
        }
        Map<Object, Object> numberKey = Map.of(1, 1.0);
        @SuppressWarnings("unchecked")
        Map<String, ?> badKey = (Map<String, ?>) (Map<?, ?>) numberKey;
        assertThatIllegalArgumentException().isThrownBy(() -> encoder.encode(badKey, 0))
            .withMessage("metric keys must be strings, got java.lang.Integer 1");
        assertThatIllegalArgumentException().isThrownBy(() -> encoder.encode(null, 0))
            .withMessage("metric map must not be null");
    }

    @Test
    void growsForAHugeMapAndReusesItsBufferForTheNext() throws IOException {
        Map<String, Object> huge = new LinkedHashMap<>();
        for (int i = 0; i < 10_000; i++) {
            huge.put("layer" + i + "/grad_norm", i / 3.0);
        }
        Map<String, Object> parsed = parse(huge, 1);
        assertThat(parsed).hasSize(10_000);
        assertThat(parsed.get("layer9999/grad_norm")).isEqualTo(9999 / 3.0);

        assertThat(text(Map.of("loss", 0.5), 2)).isEqualTo("{\"metrics\":{\"loss\":0.5},\"step\":2}");
        assertThat(text(Map.of(), 3)).isEqualTo("{\"metrics\":{},\"step\":3}");
        assertThat(encoder.values()).isZero();
    }

    private String text(Map<String, ?> metrics, int step) {
        int length = encoder.encode(metrics, step);
        return new String(encoder.array(), 0, length, StandardCharsets.UTF_8);
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> parse(Map<String, ?> metrics, int step) throws IOException {
        int length = encoder.encode(metrics, step);
        Map<String, Object> payload = JSON.readValue(encoder.array(), 0, length, Map.class);
        assertThat(payload.get("step")).isEqualTo(step);
        return (Map<String, Object>) payload.get("metrics");
    }

}
