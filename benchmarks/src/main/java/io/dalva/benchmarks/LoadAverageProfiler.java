package io.dalva.benchmarks;

import java.io.File;
import java.util.Collection;
import java.util.List;

import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.profile.ExternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

/**
 * {@code -prof io.dalva.benchmarks.LoadAverageProfiler}: the one-minute load average
 * ({@code /proc/loadavg}) just before each benchmark's fork starts ({@code load.before})
 * and just after it ends ({@code load.after}), so that the results file says how quiet
 * the machine was; {@link ResultsTable} refuses to call figures publishable above
 * {@value LoadAverage#PUBLISHABLE_MAX}.
 */
public final class LoadAverageProfiler implements ExternalProfiler {

    private double before = Double.NaN;

    @Override
    public String getDescription() {
        return "one-minute load average before and after each trial";
    }

    @Override
    public Collection<String> addJVMInvokeOptions(BenchmarkParams params) {
        return List.of();
    }

    @Override
    public Collection<String> addJVMOptions(BenchmarkParams params) {
        return List.of();
    }

    @Override
    public void beforeTrial(BenchmarkParams benchmarkParams) {
        before = LoadAverage.now();
    }

    @Override
    public Collection<? extends Result> afterTrial(BenchmarkResult result, long pid, File stdOut, File stdErr) {
        return List.of(new ScalarResult("load.before", before, "load", AggregationPolicy.MAX),
                new ScalarResult("load.after", LoadAverage.now(), "load", AggregationPolicy.MAX));
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
