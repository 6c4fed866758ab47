package io.dalva.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SparklineTest {

    @Test
    void mapsTheRangeOntoEightBars() {
        assertThat(Sparkline.of(List.of(0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0), 60)).isEqualTo("▁▂▃▄▅▆▇█");
        assertThat(Sparkline.of(List.of(7.0, 0.0), 60)).isEqualTo("█▁");
    }

    @Test
    void averagesIntoAtMostWidthBars() {
        List<Double> values = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            values.add(i < 500 ? 10.0 : 0.0);
        }
        assertThat(Sparkline.of(values, 10)).isEqualTo("█████▁▁▁▁▁");
    }

    @Test
    void flatAndEmptySeries() {
        assertThat(Sparkline.of(List.of(2.0, 2.0, 2.0), 60)).isEqualTo("▁▁▁");
        assertThat(Sparkline.of(List.of(), 60)).isEmpty();
    }

}
