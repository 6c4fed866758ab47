package io.dalva.benchmarks;

import io.dalva.micrometer.DalvaConfig;
import io.dalva.micrometer.PercentileWindow;
import io.dalva.micrometer.StepMode;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The registry configuration of the benchmarks: project {@code bench}, manual steps (the
 * benchmark decides when a step is published), the given server and spool folder. Built
 * by overriding {@link DalvaConfig}'s methods rather than by property names, so it holds
 * however the properties are named.
 */
final class DalvaSettings {

    private DalvaSettings() {
    }

    /** Every other setting at the registry's default. */
    static DalvaConfig manualSteps(String serverUrl, Path spoolDirectory) {
        return manualSteps(serverUrl, "bench", spoolDirectory, null);
    }

    /**
     * As {@link #manualSteps(String, Path)}, with this project and at most
     * {@code batchSize} values in one {@code log()} of a step ({@code null}: the
     * registry's default).
     */
    static DalvaConfig manualSteps(String serverUrl, String project, Path spoolDirectory, Integer batchSize) {
        return manualSteps(serverUrl, project, spoolDirectory, batchSize, PercentileWindow.STEP);
    }

    /** As above, with percentiles over the step or Micrometer's time window. */
    static DalvaConfig manualSteps(String serverUrl, String project, Path spoolDirectory, Integer batchSize,
            PercentileWindow percentiles) {
        return new DalvaConfig() {
            @Override
            public String get(String key) {
                return null;
            }

            @Override
            public String serverUrl() {
                return serverUrl;
            }

            @Override
            public String project() {
                return project;
            }

            @Override
            public int batchSize() {
                return batchSize != null ? batchSize : DalvaConfig.super.batchSize();
            }

            @Override
            public PercentileWindow percentiles() {
                return percentiles;
            }

            @Override
            public StepMode stepMode() {
                return StepMode.MANUAL;
            }

            @Override
            public Duration step() {
                return Duration.ofHours(1);
            }

            @Override
            public String spoolDirectory() {
                return spoolDirectory.toString();
            }
        };
    }

}
