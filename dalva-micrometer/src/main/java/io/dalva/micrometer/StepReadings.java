package io.dalva.micrometer;

/**
 * What one Dalva step reads from the registry's own meters: the activity since the
 * previous step, plus running totals. Each meter hands out a reading once per step, under
 * the registry's step lock, so consecutive readings partition the recorded activity: no
 * recording is counted in two steps or in none.
 */
final class StepReadings {

    private StepReadings() {
    }

    /**
     * A counter's step: {@code count} since the previous step, {@code total} since the
     * meter was created.
     */
    record CounterReading(double count, double total) {
    }

    /**
     * A timer's or distribution summary's step, in the registry's base unit for timers.
     * {@code bucketCounts[i]} counts the step's recordings at or below
     * {@code bucketBounds[i]}.
     */
    record DistributionReading(long count, double sum, double max, double[] bucketBounds, long[] bucketCounts) {

        double mean() {
            return count == 0 ? 0.0 : sum / count;
        }

    }

    /** A function timer's step, sums in the registry's base unit. */
    record FunctionTimerReading(double count, double sum) {

        double mean() {
            return count == 0 ? 0.0 : sum / count;
        }

    }

}
