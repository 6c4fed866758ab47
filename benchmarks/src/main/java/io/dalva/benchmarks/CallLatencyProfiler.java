package io.dalva.benchmarks;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.profile.ExternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

/**
 * {@code -prof io.dalva.benchmarks.CallLatencyProfiler}: the percentiles of every call a
 * benchmark timed itself into a {@link LatencyHistogram} over its measurement iterations
 * (none of the warm-up), in µs: {@code call.p0.50}, {@code call.p0.99},
 * {@code call.p0.999}, {@code call.p0.9999}, {@code call.max}, and {@code call.count}.
 * The profiler names a file to the fork ({@value #FILE_PROPERTY}); the benchmark writes
 * one {@link #line} into it at the end of its trial ({@link #report}), and the profiler
 * reads it back. A benchmark that writes none gets no such results.
 */
public final class CallLatencyProfiler implements ExternalProfiler {

    static final String FILE_PROPERTY = "dalva.callLatencyFile";

    private static final String PREFIX = "dalva.call-latency-ns:";

    private static final String[] MICROS = { "call.p0.50", "call.p0.99", "call.p0.999", "call.p0.9999", "call.max" };

    private static final Pattern LINE = Pattern.compile(
            Pattern.quote(PREFIX) + " count=(\\d+) p0.50=(\\d+) p0.99=(\\d+) p0.999=(\\d+) p0.9999=(\\d+) max=(\\d+)");

    private Path file;

    /** The line a benchmark's fork writes for this profiler. */
    static String line(LatencyHistogram histogram) {
        return String.format("%s count=%d p0.50=%d p0.99=%d p0.999=%d p0.9999=%d max=%d", PREFIX, histogram.count(),
                histogram.quantile(0.5), histogram.quantile(0.99), histogram.quantile(0.999),
                histogram.quantile(0.9999), histogram.max());
    }

    /**
     * What a benchmark's fork does with its histogram: into the profiler's file when it
     * runs under this profiler, else printed.
     */
    static void report(LatencyHistogram histogram) {
        String line = line(histogram);
        String file = System.getProperty(FILE_PROPERTY);
        if (file == null) {
            System.out.println(line);
            return;
        }
        try {
            Files.writeString(Path.of(file), line + System.lineSeparator(), StandardCharsets.UTF_8);
        }
        catch (IOException e) {
            throw new UncheckedIOException("cannot write the call latencies to " + file, e);
        }
    }

    /** The results of the last such line in {@code output}; none when it has none. */
    static List<Result> results(String output) {
        Matcher matcher = LINE.matcher(output);
        long[] values = null;
        while (matcher.find()) {
            values = new long[matcher.groupCount()];
            for (int i = 0; i < values.length; i++) {
                values[i] = Long.parseLong(matcher.group(i + 1));
            }
        }
        if (values == null) {
            return List.of();
        }
        List<Result> results = new ArrayList<>();
        results.add(new ScalarResult("call.count", values[0], "calls", AggregationPolicy.MAX));
        for (int i = 0; i < MICROS.length; i++) {
            results.add(new ScalarResult(MICROS[i], values[i + 1] / 1000.0, "us", AggregationPolicy.MAX));
        }
        return results;
    }

    @Override
    public String getDescription() {
        return "percentiles of every call a benchmark timed itself";
    }

    @Override
    public Collection<String> addJVMInvokeOptions(BenchmarkParams params) {
        return List.of();
    }

    @Override
    public Collection<String> addJVMOptions(BenchmarkParams params) {
        try {
            file = Files.createTempFile("dalva-call-latency", ".txt");
        }
        catch (IOException e) {
            throw new UncheckedIOException("cannot create a file for the call latencies", e);
        }
        return List.of("-D" + FILE_PROPERTY + "=" + file);
    }

    @Override
    public void beforeTrial(BenchmarkParams benchmarkParams) {
    }

    @Override
    public Collection<? extends Result> afterTrial(BenchmarkResult result, long pid, File stdOut, File stdErr) {
        try {
            return results(Files.readString(file, StandardCharsets.UTF_8));
        }
        catch (IOException e) {
            throw new UncheckedIOException("cannot read the call latencies from " + file, e);
        }
        finally {
            try {
                Files.deleteIfExists(file);
            }
            catch (IOException e) {
                // a temporary file left behind; the results stand
            }
        }
    }

    @Override
    public boolean allowPrintOut() {
        return true;
    }

    @Override
    public boolean allowPrintErr() {
        return true;
    }

}
