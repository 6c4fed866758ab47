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
     * {@code bucketCounts[i]} counts the step's recordings at or below the bound of field
     * {@code bucketFields[i]} ({@code le_0.1}); {@code percentileValues[i]} is the value
     * of field {@code percentileFields[i]} ({@code p99}). The arrays belong to the meter
     * and are reused: a reading is valid until the meter's next step.
     */
    record DistributionReading(long count, double sum, double max, String[] bucketFields, long[] bucketCounts,
            String[] percentileFields, double[] percentileValues) {

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
