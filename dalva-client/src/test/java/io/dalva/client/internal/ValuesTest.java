package io.dalva.client.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ValuesTest {

    @Test
    void flattensNestedMapsWithSlashLikeTheServer() {
        Map<String, Object> nested = new LinkedHashMap<>();
        nested.put("train", Map.of("loss", 0.5));
        nested.put("model", Map.of("encoder", Map.of("layers", 4)));
        nested.put("lr", 0.01);

        assertThat(Values.flattenMetrics(nested)).containsExactly(Map.entry("train/loss", 0.5),
                Map.entry("model/encoder/layers", 4), Map.entry("lr", 0.01));
    }

    @Test
    void keepsEveryScalarTypeAndNarrowsIntegersTo32Bits() {
        Map<String, Object> flat = Values.flattenMetrics(
                Map.of("i", 1, "l", 7L, "s", (short) 2, "b", (byte) 3, "f", 0.5f, "d", 0.25, "bool", true, "str", "x"));

        assertThat(flat).containsEntry("i", 1)
            .containsEntry("l", 7)
            .containsEntry("s", 2)
            .containsEntry("b", 3)
            .containsEntry("f", 0.5f)
            .containsEntry("d", 0.25)
            .containsEntry("bool", true)
            .containsEntry("str", "x");
        assertThat(Values.flattenMetrics(Map.of("max", (long) Integer.MAX_VALUE, "min", (long) Integer.MIN_VALUE)))
            .containsEntry("max", Integer.MAX_VALUE)
            .containsEntry("min", Integer.MIN_VALUE);
    }

    @Test
    void rejectsNonFiniteNumbersNamingTheKey() {
        assertThatIllegalArgumentException()
            .isThrownBy(() -> Values.flattenMetrics(Map.of("train", Map.of("loss", Double.NaN))))
            .withMessageContaining("'train/loss'")
            .withMessageContaining("NaN");
        assertThatIllegalArgumentException()
            .isThrownBy(() -> Values.flattenMetrics(Map.of("x", Double.POSITIVE_INFINITY)))
            .withMessageContaining("'x'")
            .withMessageContaining("Infinity");
        assertThatIllegalArgumentException()
            .isThrownBy(() -> Values.flattenMetrics(Map.of("f", Float.NEGATIVE_INFINITY)))
            .withMessageContaining("'f'");
    }

    @Test
    void rejectsIntegersBeyond32BitsNamingTheKey() {
        assertThatIllegalArgumentException().isThrownBy(() -> Values.flattenMetrics(Map.of("tokens", 3_000_000_000L)))
            .withMessageContaining("'tokens'")
            .withMessageContaining("32-bit");
        assertThatIllegalArgumentException()
            .isThrownBy(() -> Values.flattenMetrics(Map.of("low", (long) Integer.MIN_VALUE - 1)))
            .withMessageContaining("'low'");
    }

    @Test
    void rejectsNullAndUnsupportedTypesNamingTheKey() {
        Map<String, Object> withNull = new HashMap<>();
        withNull.put("missing", null);
        assertThatIllegalArgumentException().isThrownBy(() -> Values.flattenMetrics(withNull))
            .withMessageContaining("'missing' is null");
        assertThatIllegalArgumentException().isThrownBy(() -> Values.flattenMetrics(Map.of("price", BigDecimal.ONE)))
            .withMessageContaining("'price'")
            .withMessageContaining("java.math.BigDecimal");
        assertThatIllegalArgumentException().isThrownBy(() -> Values.flattenMetrics(Map.of("list", List.of(1))))
            .withMessageContaining("'list'");
    }

    @Test
    void rejectsEmptyKeysAndEmptySegments() {
        assertThatIllegalArgumentException().isThrownBy(() -> Values.flattenMetrics(Map.of("", 1)))
            .withMessageContaining("key ''");
        assertThatIllegalArgumentException().isThrownBy(() -> Values.flattenMetrics(Map.of("a", Map.of("", 1))))
            .withMessageContaining("'a/'");
        assertThatIllegalArgumentException().isThrownBy(() -> Values.flattenMetrics(Map.of("a//b", 1)))
            .withMessageContaining("'a//b'");
        assertThatIllegalArgumentException().isThrownBy(() -> Values.flattenMetrics(Map.of("/a", 1)));
    }

    @Test
    void rejectsNonStringKeys() {
        Map<Object, Object> raw = new HashMap<>();
        raw.put(7, 1.0);
        @SuppressWarnings("unchecked")
        Map<String, ?> metrics = (Map<String, ?>) (Map<?, ?>) raw;
        assertThatIllegalArgumentException().isThrownBy(() -> Values.flattenMetrics(metrics))
            .withMessageContaining("keys must be strings");
    }

    @Test
    void rejectsAPathGivenTwiceAfterFlattening() {
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("train/loss", 1.0);
        metrics.put("train", Map.of("loss", 2.0));
        assertThatIllegalArgumentException().isThrownBy(() -> Values.flattenMetrics(metrics))
            .withMessageContaining("'train/loss' is given twice");
    }

    @Test
    void configAcceptsListsOfScalarsAndChecksTheirElements() {
        assertThat(Values.flattenConfig(Map.of("layers", List.of(64, 32), "opt", Map.of("betas", List.of(0.9, 0.999)))))
            .containsEntry("layers", List.of(64, 32))
            .containsEntry("opt/betas", List.of(0.9, 0.999));
        assertThatIllegalArgumentException()
            .isThrownBy(() -> Values.flattenConfig(Map.of("bad", Arrays.asList(1.0, Double.NaN))))
            .withMessageContaining("config 'bad[1]'");
    }

    @Test
    void flatMapsAreUnmodifiable() {
        Map<String, Object> flat = Values.flattenMetrics(Map.of("a", 1));
        assertThat(flat).isUnmodifiable();
    }

    @Test
    void stepsMustBeNonNegative() {
        Values.checkStep(null);
        Values.checkStep(0);
        Values.checkStep(Integer.MAX_VALUE);
        assertThatIllegalArgumentException().isThrownBy(() -> Values.checkStep(-1))
            .withMessageContaining("step -1 is outside 0..2147483647");
    }

    @Test
    void sameValueComparesAcrossIntegerWidthsAndFloatDecimalForm() {
        assertThat(Values.sameValue(4L, 4)).isTrue();
        assertThat(Values.sameValue(0.1, 0.1f)).isTrue();
        assertThat(Values.sameValue(0.1, 0.2)).isFalse();
        assertThat(Values.sameValue(1L, 1.0)).isFalse();
        assertThat(Values.sameValue(List.of(64L, 32L), List.of(64, 32))).isTrue();
        assertThat(Values.sameValue("adam", "adam")).isTrue();
        assertThat(Values.sameValue(null, "adam")).isFalse();
    }

}
