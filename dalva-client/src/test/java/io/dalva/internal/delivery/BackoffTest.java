package io.dalva.internal.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BackoffTest {

    private final Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5));

    @Test
    void delaysDoubleUpToTheMaximumWithJitterInTheUpperHalf() {
        SplittableRandom random = new SplittableRandom(42);
        long[] ceilings = { 100, 200, 400, 800, 1600, 3200, 5000, 5000 };
        for (int retry = 0; retry < ceilings.length; retry++) {
            long ceiling = Duration.ofMillis(ceilings[retry]).toNanos();
            assertThat(backoff.ceilingNanos(retry)).isEqualTo(ceiling);
            for (int i = 0; i < 200; i++) {
                assertThat(backoff.delayNanos(retry, random)).isBetween(ceiling / 2, ceiling);
            }
        }
        assertThat(backoff.ceilingNanos(1000)).isEqualTo(Duration.ofSeconds(5).toNanos());
    }

    @Test
    void jitterSpreadsClientsApart() {
        SplittableRandom random = new SplittableRandom(7);
        long first = backoff.delayNanos(3, random);
        boolean differs = false;
        for (int i = 0; i < 20 && !differs; i++) {
            differs = backoff.delayNanos(3, random) != first;
        }
        assertThat(differs).isTrue();
    }

    @Test
    void boundsAreValidated() {
        assertThatThrownBy(() -> new Backoff(Duration.ZERO, Duration.ofSeconds(1)))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("positive");
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("below");
    }

}
