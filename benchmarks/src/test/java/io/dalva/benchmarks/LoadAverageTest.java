package io.dalva.benchmarks;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LoadAverageTest {

    @Test
    void readsTheOneMinuteAverage() {
        assertThat(LoadAverage.parse("1.52 0.61 0.70 2/123 4567\n")).isEqualTo(1.52);
    }

    @Test
    void publishableUpToOnePointFiveAndNeverWhenUnknown() {
        assertThat(LoadAverage.publishable(1.5)).isTrue();
        assertThat(LoadAverage.publishable(1.51)).isFalse();
        assertThat(LoadAverage.publishable(Double.NaN)).isFalse();
    }

    @Test
    void theVerdictNamesTheReadingsAndRefusesWhenAnyIsHigh() {
        assertThat(LoadAverage.verdict(0.4, 1.1, 1.2)).isEqualTo(
                "Load average (1 min, /proc/loadavg): 0.40 before the run, 1.10 after, highest 1.20. Publishable "
                        + "(every reading at most 1.5).");
        assertThat(LoadAverage.verdict(0.4, 1.1, 1.6)).startsWith("**NOT PUBLISHABLE**: ").contains("highest 1.60");
        assertThat(LoadAverage.verdict(Double.NaN, 1.1, 1.1)).startsWith("**NOT PUBLISHABLE**: ")
            .contains("unknown before the run");
    }

}
