package io.dalva.micrometer;

import io.micrometer.core.instrument.Tag;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class MetricPathsTest {

    @Test
    void nameThenTagsThenField() {
        String folder = MetricPaths.meterFolder("http.server.requests",
                List.of(Tag.of("method", "GET"), Tag.of("status", "200")));
        assertThat(MetricPaths.path(folder, "count")).isEqualTo("http.server.requests/method=GET/status=200/count");
    }

    @Test
    void meterWithoutTags() {
        assertThat(MetricPaths.path(MetricPaths.meterFolder("loss", List.of()), "value")).isEqualTo("loss/value");
    }

    @Test
    void slashesAndPercentSignsAreEscaped() {
        String folder = MetricPaths.meterFolder("a/b", List.of(Tag.of("uri", "/api/users/{id}"), Tag.of("p", "100%")));
        assertThat(folder).isEqualTo("a%2Fb/uri=%2Fapi%2Fusers%2F{id}/p=100%25");
    }

    @Test
    void equalsSignsInTagKeysAreEscapedButNotInValues() {
        assertThat(MetricPaths.meterFolder("m", List.of(Tag.of("a=b", "c=d")))).isEqualTo("m/a%3Db=c=d");
    }

    @Test
    void unicodePassesThrough() {
        assertThat(MetricPaths.meterFolder("débit", List.of(Tag.of("ville", "São Paulo ☀"))))
            .isEqualTo("débit/ville=São Paulo ☀");
    }

    @Test
    void escapingKeepsDifferentMetersApart() {
        // without escaping all three would be "a/b=c/d/count"
        String slashInName = MetricPaths.meterFolder("a/b=c", List.of(Tag.of("d", "")));
        String slashInValue = MetricPaths.meterFolder("a", List.of(Tag.of("b", "c/d")));
        String literalEscape = MetricPaths.meterFolder("a", List.of(Tag.of("b", "c%2Fd")));
        assertThat(List.of(slashInName, slashInValue, literalEscape)).doesNotHaveDuplicates();
        assertThat(slashInValue).isEqualTo("a/b=c%2Fd");
        assertThat(literalEscape).isEqualTo("a/b=c%252Fd");
    }

    @Test
    void tagKeyWithEqualsCannotMimicAnotherSplit() {
        assertThat(MetricPaths.meterFolder("m", List.of(Tag.of("a=b", "c"))))
            .isNotEqualTo(MetricPaths.meterFolder("m", List.of(Tag.of("a", "b=c"))));
    }

}
