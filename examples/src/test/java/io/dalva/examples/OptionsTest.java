package io.dalva.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class OptionsTest {

    @Test
    void parsesBothOptionFormsAndPositionals() {
        Options options = Options.parse(List.of("--steps", "5", "--project=x", "dir"), Set.of("steps", "project"));

        assertThat(options.getInt("steps", 1, 1, 10)).isEqualTo(5);
        assertThat(options.get("project")).isEqualTo("x");
        assertThat(options.get("missing", "d")).isEqualTo("d");
        assertThat(options.positional()).containsExactly("dir");
    }

    @Test
    void parsesDurations() {
        Set<String> pace = Set.of("pace");
        assertThat(Options.parse(List.of("--pace", "250ms"), pace).getDuration("pace", null))
            .isEqualTo(Duration.ofMillis(250));
        assertThat(Options.parse(List.of("--pace", "1.5s"), pace).getDuration("pace", null))
            .isEqualTo(Duration.ofMillis(1500));
        assertThat(Options.parse(List.of("--pace", "2m"), pace).getDuration("pace", null))
            .isEqualTo(Duration.ofMinutes(2));
        assertThat(Options.parse(List.of("--pace", "PT0.1S"), pace).getDuration("pace", null))
            .isEqualTo(Duration.ofMillis(100));
        assertThat(Options.parse(List.of("--pace", "0"), pace).getDuration("pace", null)).isZero();
        assertThat(Options.parse(List.of(), pace).getDuration("pace", Duration.ofSeconds(1)))
            .isEqualTo(Duration.ofSeconds(1));
        assertThatThrownBy(() -> Options.parse(List.of("--pace", "-1s"), pace).getDuration("pace", null))
            .isInstanceOf(UsageException.class)
            .hasMessageContaining("negative");
    }

    @Test
    void rejectsUnknownOptionsAndMissingValues() {
        assertThatThrownBy(() -> Options.parse(List.of("--nope", "1"), Set.of())).isInstanceOf(UsageException.class)
            .hasMessage("unknown option --nope");
        assertThatThrownBy(() -> Options.parse(List.of("--steps"), Set.of("steps"))).isInstanceOf(UsageException.class)
            .hasMessage("option --steps needs a value");
    }

}
