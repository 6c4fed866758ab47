package io.dalva.examples;

import java.util.List;

/** A one-line chart of a series, e.g. {@code █▆▄▃▂▂▁▁}. */
final class Sparkline {

    private static final char[] BARS = "▁▂▃▄▅▆▇█".toCharArray();

    private Sparkline() {
    }

    /** At most {@code width} bars, each the mean of its share of {@code values}. */
    static String of(List<Double> values, int width) {
        if (values.isEmpty()) {
            return "";
        }
        int bars = Math.min(width, values.size());
        double[] means = new double[bars];
        for (int bar = 0; bar < bars; bar++) {
            int from = (int) ((long) bar * values.size() / bars);
            int to = (int) ((long) (bar + 1) * values.size() / bars);
            double sum = 0;
            for (int i = from; i < to; i++) {
                sum += values.get(i);
            }
            means[bar] = sum / (to - from);
        }
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (double mean : means) {
            min = Math.min(min, mean);
            max = Math.max(max, mean);
        }
        StringBuilder line = new StringBuilder(bars);
        for (double mean : means) {
            int level = max == min ? 0 : (int) Math.round((mean - min) / (max - min) * (BARS.length - 1));
            line.append(BARS[level]);
        }
        return line.toString();
    }

}
