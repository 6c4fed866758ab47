package io.dalva.micrometer;

/**
 * Which recordings the percentiles of a timer or distribution summary ({@code p50},
 * {@code p99} fields) cover in a Dalva step: {@link DalvaConfig#percentiles()}.
 */
public enum PercentileWindow {

    /**
     * Exactly the step's recordings, like its {@code count}, {@code sum} and {@code max}:
     * from a histogram of Dalva's own (log-linear buckets, within 0.79 % of the nearest
     * rank value), emptied at every step. An idle step writes 0, as for {@code mean} and
     * {@code max}.
     */
    STEP,

    /**
     * Micrometer's time-window histogram: the recordings of the last few
     * {@code distributionStatisticExpiry} periods (the step by default, three of them),
     * as Micrometer's other registries publish them.
     */
    WINDOW

}
