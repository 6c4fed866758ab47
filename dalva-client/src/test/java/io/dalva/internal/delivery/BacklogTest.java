package io.dalva.internal.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BacklogTest {

    static int count(long seq) {
        return 1 + (int) (seq % 3);
    }

    static long left(long deliveredSeq, long lastSeq) {
        long values = 0;
        for (long seq = deliveredSeq + 1; seq <= lastSeq; seq++) {
            values += count(seq);
        }
        return values;
    }

    @Test
    void countsExactlyWhileItsEntriesLast() {
        Backlog backlog = new Backlog();
        for (long seq = 1; seq <= 1000; seq++) {
            backlog.logged(seq, count(seq));
        }
        assertThat(backlog.values(0)).isEqualTo(left(0, 1000));
        assertThat(backlog.values(377)).isEqualTo(left(377, 1000));
        assertThat(backlog.oldestWaitNanos(377)).isPositive();
        assertThat(backlog.values(1000)).isZero();
        assertThat(backlog.oldestWaitNanos(1000)).isZero();
    }

    @Test
    void anOutageLongerThanItsEntriesMergesNeighboursInPlaceAndLosesNoValue() {
        Backlog backlog = new Backlog();
        long seq = 0;
        while (seq < Backlog.MAX_ENTRIES - 10) { // the ring at its largest
            seq++;
            backlog.logged(seq, count(seq));
        }
        assertThat(backlog.values(500)).isEqualTo(left(500, seq)); // its head moves on:
                                                                   // it wraps
        // merged five times: the oldest entries hold 32 events each
        for (long i = 0; i < 2L * Backlog.MAX_ENTRIES; i++) {
            seq++;
            backlog.logged(seq, count(seq));
        }
        assertThat(backlog.values(500)).isEqualTo(left(500, seq));
        for (long delivered = 600; delivered < seq; delivered += 997) {
            long exact = left(delivered, seq);
            assertThat(backlog.values(delivered)).as("after " + delivered)
                .isBetween(exact, exact + left(delivered - 32, delivered));
        }
        assertThat(backlog.values(seq)).isZero();
    }

}
