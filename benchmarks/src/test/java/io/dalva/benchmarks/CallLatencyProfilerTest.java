package io.dalva.benchmarks;

import java.util.List;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.Result;

import static org.assertj.core.api.Assertions.assertThat;

class CallLatencyProfilerTest {

    @Test
    void theForksLineBecomesResultsInMicroseconds() {
        LatencyHistogram histogram = new LatencyHistogram();
        for (int i = 0; i < 999; i++) {
            histogram.record(2_015); // the upper bound of its bucket
        }
        histogram.record(75_000);
        String output = "# Warmup Iteration 1: 3.1 us/op\n" + CallLatencyProfiler.line(histogram) + "\n";

        assertThat(byName(CallLatencyProfiler.results(output)))
            .isEqualTo("call.count=1000.0 calls, call.p0.50=2.015 us, call.p0.99=2.015 us, call.p0.999=2.015 us, "
                    + "call.p0.9999=75.0 us, call.max=75.0 us");
    }

    @Test
    void theLastLineCountsAndAnOutputWithoutOneGivesNothing() {
        String first = "dalva.call-latency-ns: count=1 p0.50=1000 p0.99=1000 p0.999=1000 p0.9999=1000 max=1000";
        String second = "dalva.call-latency-ns: count=2 p0.50=3000 p0.99=3000 p0.999=3000 p0.9999=3000 max=3000";

        assertThat(byName(CallLatencyProfiler.results(first + "\n" + second + "\n"))).startsWith("call.count=2.0");
        assertThat(CallLatencyProfiler.results("Iteration 1: 2.1 us/op\n")).isEmpty();
    }

    private static String byName(List<Result> results) {
        return results.stream()
            .map((result) -> result.getLabel() + "=" + result.getScore() + " " + result.getScoreUnit())
            .collect(Collectors.joining(", "));
    }

}
