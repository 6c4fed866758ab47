package io.dalva.benchmarks;

import io.dalva.micrometer.DalvaMeterRegistry;
import io.dalva.run.DalvaRun;
import io.micrometer.core.instrument.Gauge;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Values per second end to end against any Dalva server:
 * {@code java -cp benchmarks/target/benchmarks.jar io.dalva.benchmarks.EndToEnd --server-url URL}
 * (without {@code --server-url}: a {@code DalvaTestServer} in a child JVM). Each path
 * writes the same number of values into a new run of its own, and the clock stops when
 * the server has answered for the last one:
 * <ul>
 * <li>the server's own maximum: plain batched {@code /log/batch} POSTs
 * ({@link PlainPosts}), measured first and last (the higher is the maximum);</li>
 * <li>{@code DalvaRun.log} of {@value #VALUES_PER_STEP} values a call, then
 * {@code flush};</li>
 * <li>{@code DalvaMeterRegistry} with {@code --meters} gauges, {@code step()} in manual
 * step mode, then {@code flush} of its run.</li>
 * </ul>
 * Every path uses the same batch size ({@code --batch-size} values a request). Each path
 * first runs untimed with a tenth of the values (warming up the client JVM and the
 * server). The table is headed by the load average before and after, like
 * {@link ResultsTable}'s.
 */
public final class EndToEnd {

    static final int VALUES_PER_STEP = 10;

    private final Options options;

    private final Path spool;

    private EndToEnd(Options options, Path spool) {
        this.options = options;
        this.spool = spool;
    }

    public static void main(String[] args) throws IOException {
        Options options;
        try {
            options = Options.parse(args);
        }
        catch (IllegalArgumentException ex) {
            System.err.println(ex.getMessage());
            System.err.println(Options.USAGE);
            System.exit(2);
            return;
        }
        ChildJvm testServer = options.serverUrl() == null ? ChildJvm.start(TestServerMain.class, "1g",
                List.of("-D" + TestServerMain.LATENCY_PROPERTY + "=" + options.latencyMicros())) : null;
        Path spool = Files.createTempDirectory("dalva-e2e");
        try {
            new EndToEnd(testServer == null ? options : options.onTestServer(testServer.url()), spool).run();
        }
        finally {
            Spool.delete(spool);
            if (testServer != null) {
                testServer.close();
            }
        }
    }

    private void run() throws IOException {
        int values = options.values();
        PlainPosts plain = new PlainPosts(options.serverUrl());
        int warmUp = Math.max(options.meters(), values / 10 / options.meters() * options.meters());
        plain.send(options.project(), "e2e plain POSTs (warm-up)", warmUp, options.batchSize());
        throughRun("e2e DalvaRun (warm-up)", warmUp);
        throughRegistry(warmUp);
        double loadBefore = LoadAverage.now();
        double plainBefore = plain.send(options.project(), "e2e plain POSTs (first)", values, options.batchSize());
        double throughRun = throughRun("e2e DalvaRun", values);
        double throughRegistry = throughRegistry(values);
        double plainAfter = plain.send(options.project(), "e2e plain POSTs (last)", values, options.batchSize());
        plain.close();
        double loadAfter = LoadAverage.now();
        double maximum = Math.max(values / plainBefore, values / plainAfter);
        System.out.printf(Locale.ROOT, "End to end into %s: %,d values per path, %,d values a request.%n%n",
                options.serverUrl(), values, options.batchSize());
        System.out.println(LoadAverage.verdict(loadBefore, loadAfter, Math.max(loadBefore, loadAfter)));
        System.out.println();
        System.out.println("| path | seconds | values per second | vs the server's maximum (target ≥ 0.95×) |");
        System.out.println("|---|---:|---:|---:|");
        row("plain batched POSTs (OkHttp), first", plainBefore, maximum);
        row("`DalvaRun.log`, " + VALUES_PER_STEP + " values a call", throughRun, maximum);
        row("`DalvaMeterRegistry`, " + options.meters() + " gauges, manual steps", throughRegistry, maximum);
        row("plain batched POSTs (OkHttp), last", plainAfter, maximum);
    }

    private void row(String path, double seconds, double maximum) {
        double perSecond = options.values() / seconds;
        System.out.printf(Locale.ROOT, "| %s | %.2f | %,.0f | %s |%n", path, seconds, perSecond,
                ResultsTable.ratio(perSecond, maximum));
    }

    /**
     * Seconds to log {@code values} values through a {@link DalvaRun} and see them
     * stored.
     */
    private double throughRun(String name, int values) {
        try (DalvaRun run = DalvaRun.builder()
            .project(options.project())
            .name(name)
            .serverUrl(options.serverUrl())
            .spoolDirectory(spool)
            .maxBatchValues(options.batchSize())
            .start()) {
            long start = System.nanoTime();
            for (int step = 0; step < values / VALUES_PER_STEP; step++) {
                run.log(stepValues(step), step);
            }
            flush(run, values);
            return (System.nanoTime() - start) / 1e9;
        }
    }

    /** Seconds to publish {@code values} values as gauges of a manual-step registry. */
    private double throughRegistry(int values) {
        double[] gauges = new double[options.meters()];
        DalvaMeterRegistry registry = DalvaMeterRegistry
            .builder(DalvaSettings.manualSteps(options.serverUrl(), options.project(), spool, options.batchSize()))
            .build();
        try {
            for (int i = 0; i < gauges.length; i++) {
                int index = i;
                Gauge.builder("e2e.gauge" + i, gauges, g -> g[index]).register(registry);
            }
            long start = System.nanoTime();
            for (int step = 0; step < values / gauges.length; step++) {
                for (int i = 0; i < gauges.length; i++) {
                    gauges[i] = step + i / 100.0 + 0.5;
                }
                registry.step();
            }
            flush(registry.run(), values);
            return (System.nanoTime() - start) / 1e9;
        }
        finally {
            registry.close();
        }
    }

    private static void flush(DalvaRun run, int values) {
        Duration timeout = Duration.ofSeconds(60 + values / 10);
        if (run == null || !run.flush(timeout)) {
            throw new IllegalStateException("not every value was stored within " + timeout);
        }
    }

    /** The {@value #VALUES_PER_STEP} values of one step, as every path sends them. */
    static Map<String, Double> stepValues(int step) {
        Map<String, Double> values = new LinkedHashMap<>();
        for (int i = 0; i < VALUES_PER_STEP; i++) {
            values.put("e2e/m" + i, step + i / 100.0 + 0.5);
        }
        return values;
    }

    /** The command line. */
    record Options(String serverUrl, String project, int values, int batchSize, int meters, int latencyMicros) {

        /**
         * Values per path on a real server (about 80 to 250 values a second: seconds per
         * path).
         */
        static final int SERVER_VALUES = 2_000;

        /**
         * Values per path on the test server, which stores them a hundred times faster.
         */
        static final int TEST_SERVER_VALUES = 100_000;

        static final String USAGE = "usage: EndToEnd [--server-url URL] [--project NAME] [--values N] "
                + "[--batch-size N] [--meters N] [--server-latency-micros N]\n"
                + "  --server-url  the Dalva server (default: a DalvaTestServer in a child JVM)\n"
                + "  --project     the project of the runs it creates (default dalva-e2e)\n"
                + "  --values      values per path, a multiple of 10 and of --meters\n"
                + "                (default 2000 with --server-url, else 100000)\n"
                + "  --batch-size  values a request, on every path (default 500)\n"
                + "  --meters      gauges of the registry path, values a step (default 100)\n"
                + "  --server-latency-micros  without --server-url: the test server's time per value\n"
                + "                (default 0; the real server takes about 5000)";

        static Options parse(String[] args) {
            String serverUrl = null;
            String project = "dalva-e2e";
            Integer values = null;
            int batchSize = 500;
            int meters = 100;
            int latencyMicros = 0;
            for (int i = 0; i < args.length; i++) {
                String value = i + 1 < args.length ? args[i + 1] : null;
                switch (args[i]) {
                    case "--server-url" -> serverUrl = required(args[i], value);
                    case "--project" -> project = required(args[i], value);
                    case "--values" -> values = positive(args[i], value);
                    case "--batch-size" -> batchSize = positive(args[i], value);
                    case "--meters" -> meters = positive(args[i], value);
                    case "--server-latency-micros" -> latencyMicros = positive(args[i], value);
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
                i++;
            }
            int resolved = values != null ? values : serverUrl != null ? SERVER_VALUES : TEST_SERVER_VALUES;
            if (resolved % VALUES_PER_STEP != 0 || resolved % meters != 0) {
                throw new IllegalArgumentException(
                        "--values must be a multiple of " + VALUES_PER_STEP + " and of --meters (" + meters + ")");
            }
            if (serverUrl != null && latencyMicros > 0) {
                throw new IllegalArgumentException("--server-latency-micros is for the test server (no --server-url)");
            }
            return new Options(serverUrl, project, resolved, batchSize, meters, latencyMicros);
        }

        /** These options against a test server at {@code url}. */
        Options onTestServer(String url) {
            return new Options(url, project, values, batchSize, meters, latencyMicros);
        }

        private static String required(String option, String value) {
            if (value == null || value.isBlank()) {
                throw new IllegalArgumentException(option + " needs a value");
            }
            return value;
        }

        private static int positive(String option, String value) {
            try {
                int parsed = Integer.parseInt(required(option, value));
                if (parsed > 0) {
                    return parsed;
                }
            }
            catch (NumberFormatException ex) {
                // reported below
            }
            throw new IllegalArgumentException(option + " must be a positive whole number, got " + value);
        }

    }

}
