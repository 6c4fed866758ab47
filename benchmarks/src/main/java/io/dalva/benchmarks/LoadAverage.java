package io.dalva.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The one-minute load average from {@code /proc/loadavg}, and the rule that decides
 * whether figures may be published: a benchmark keeps about one core busy itself, so on a
 * quiet machine the load average stays near 1; above {@value #PUBLISHABLE_MAX} other work
 * competed with the run and its figures are not publishable.
 */
final class LoadAverage {

    /** The highest one-minute load average at which figures are publishable. */
    static final double PUBLISHABLE_MAX = 1.5;

    private static final Path PROC_LOADAVG = Path.of("/proc/loadavg");

    private LoadAverage() {
    }

    /**
     * @return the current one-minute load average, or NaN where {@code /proc/loadavg}
     * cannot be read
     */
    static double now() {
        try {
            return parse(Files.readString(PROC_LOADAVG, StandardCharsets.US_ASCII));
        }
        catch (IOException | RuntimeException ex) {
            return Double.NaN;
        }
    }

    /** The first field of a {@code /proc/loadavg} line ("0.52 0.61 0.70 1/123 4567"). */
    static double parse(String loadavg) {
        return Double.parseDouble(loadavg.trim().split("\\s+")[0]);
    }

    /** Unknown (NaN) is not publishable. */
    static boolean publishable(double loadAverage) {
        return loadAverage <= PUBLISHABLE_MAX;
    }

    /**
     * The line that heads a results table: the load average before the run, after it, and
     * the highest reading in between, and whether the figures may be published (only when
     * every reading is known and at most {@value #PUBLISHABLE_MAX}).
     */
    static String verdict(double before, double after, double highest) {
        String loads = String.format(Locale.ROOT,
                "Load average (1 min, /proc/loadavg): %s before the run, %s after, highest %s.", format(before),
                format(after), format(highest));
        if (publishable(before) && publishable(after) && publishable(highest)) {
            return loads + " Publishable (every reading at most " + PUBLISHABLE_MAX + ").";
        }
        return "**NOT PUBLISHABLE**: " + loads + " The machine was not quiet (a reading above " + PUBLISHABLE_MAX
                + " or unknown): run again on a quiet machine.";
    }

    private static String format(double load) {
        return Double.isNaN(load) ? "unknown" : String.format(Locale.ROOT, "%.2f", load);
    }

}
