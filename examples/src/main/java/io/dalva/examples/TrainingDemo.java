package io.dalva.examples;

import io.dalva.client.DalvaClient;
import io.dalva.client.DalvaException;
import io.dalva.run.DalvaRun;
import io.dalva.client.MetricPage;
import io.dalva.client.MetricPath;
import io.dalva.client.MetricPoint;
import io.dalva.client.MetricQuery;
import io.dalva.micrometer.DalvaConfig;
import io.dalva.micrometer.DalvaMeterRegistry;
import io.dalva.micrometer.StepMode;
import io.dalva.test.DalvaTestServer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;

/**
 * {@code training}: a small simulated training loop read back through the API afterwards.
 * The run and its config, the learning rate and the final scores go through
 * {@link DalvaRun}; loss, accuracy, a batch timer and a sample counter are Micrometer
 * meters published by a {@link DalvaMeterRegistry} into the same run: one Dalva step per
 * training step ({@code --mode manual}, the default) or every {@code --step}
 * ({@code --mode timed}).
 */
final class TrainingDemo implements Command {

    private static final int BATCHES_PER_STEP = 4;

    private static final int BATCH_SIZE = 64;

    private final String localServer;

    private final Function<String, String> environment;

    TrainingDemo() {
        this(DalvaClient.DEFAULT_SERVER_URL, System::getenv);
    }

    /**
     * A demo that probes {@code localServer} and reads {@code DALVA_SERVER_URL} from
     * {@code environment}.
     */
    TrainingDemo(String localServer, Function<String, String> environment) {
        this.localServer = localServer;
        this.environment = environment;
    }

    @Override
    public String name() {
        return "training";
    }

    @Override
    public String usage() {
        return "training [--server-url URL] [--project NAME] [--steps N] [--pace DURATION] [--mode manual|timed]"
                + " [--step DURATION]";
    }

    @Override
    public String description() {
        return "logs a simulated training run (to an embedded server if none answers at " + localServer + ")";
    }

    @Override
    public Set<String> options() {
        return Set.of("server-url", "project", "steps", "pace", "mode", "step");
    }

    @Override
    public int run(Options options, PrintStream out, PrintStream err) throws InterruptedException {
        if (!options.positional().isEmpty()) {
            throw new UsageException("unexpected argument '" + options.positional().get(0) + "'");
        }
        String project = options.get("project", "dalva-demo");
        int steps = options.getInt("steps", 100, 1, 1_000_000);
        Duration pace = options.getDuration("pace", Duration.ofMillis(10));
        String serverUrl = options.get("server-url", environment.apply(DalvaClient.SERVER_URL_ENV));
        StepMode mode = stepMode(options.get("mode", "manual"));
        Duration stepInterval = options.getDuration("step", Duration.ofMillis(200));
        if (stepInterval.isZero()) {
            throw new UsageException("--step must be positive");
        }

        DalvaTestServer embedded = null;
        if (serverUrl == null) {
            if (answers(localServer)) {
                serverUrl = localServer;
            }
            else {
                embedded = DalvaTestServer.start();
                serverUrl = embedded.url();
                out.println("No Dalva server answers at " + localServer + ": started an embedded DalvaTestServer at "
                        + serverUrl + " (in memory, gone when the demo exits).");
            }
        }
        try {
            return train(serverUrl, project, steps, pace, mode, stepInterval, out);
        }
        finally {
            if (embedded != null) {
                embedded.close();
            }
        }
    }

    private int train(String serverUrl, String project, int steps, Duration pace, StepMode mode, Duration stepInterval,
            PrintStream out) throws InterruptedException {
        Map<String, Object> config = Map.of("optimizer", "adam", "lr", 0.01, "batch_size", BATCH_SIZE, "seed", 42,
                "model", Map.of("layers", 4, "hidden", 256, "dropout", 0.1));
        try (DalvaClient client = DalvaClient.builder().serverUrl(serverUrl).build()) {
            client.health(); // fail fast: a run would start anyway and spool its data
                             // until the server answers
        }
        try (DalvaRun run = DalvaRun.builder()
            .serverUrl(serverUrl)
            .project(project)
            .name("training-demo")
            .config(config)
            .start()) {
            out.println("Run " + run.runId() + " (id " + run.id() + ") in project " + project + " at " + serverUrl
                    + ": logging " + steps + " steps, meters published "
                    + (mode == StepMode.MANUAL ? "at every training step" : "every " + stepInterval.toMillis() + " ms")
                    + " ...");
            Simulation simulation = new Simulation(steps, new Random(42));
            try {
                DalvaMeterRegistry registry = DalvaMeterRegistry.builder(registryConfig(project, mode, stepInterval))
                    .run(run)
                    .build();
                try {
                    trainingLoop(run, registry, simulation, steps, pace, mode);
                }
                finally {
                    // publishes what the last step left (timed mode); leaves the run open
                    registry.close();
                }
                run.log(Map.of("final", Map.of("loss", simulation.loss, "accuracy", simulation.accuracy)));
            }
            catch (RuntimeException | InterruptedException e) {
                markFailed(run, e);
                throw e;
            }
            run.finish();
            report(run, out);
        }
        return 0;
    }

    private static void trainingLoop(DalvaRun run, DalvaMeterRegistry registry, Simulation simulation, int steps,
            Duration pace, StepMode mode) throws InterruptedException {
        // The gauges hold the simulation weakly: it stays referenced here for the whole
        // loop.
        Gauge.builder("train.loss", simulation, s -> s.loss).description("training loss").register(registry);
        Gauge.builder("train.accuracy", simulation, s -> s.accuracy)
            .description("training accuracy")
            .register(registry);
        Timer batches = Timer.builder("train.batch").description("time to train one batch").register(registry);
        // a tag value with '/' shows the registry's look-alike in the path:
        // train.samples/dataset=mnist∕train/count
        Counter samples = Counter.builder("train.samples")
            .tag("dataset", "mnist/train")
            .description("samples trained on")
            .register(registry);
        Duration batchPace = pace.dividedBy(BATCHES_PER_STEP);
        for (int step = 0; step < steps; step++) {
            for (int batch = 0; batch < BATCHES_PER_STEP; batch++) {
                Timer.Sample sample = Timer.start(registry);
                if (!batchPace.isZero()) {
                    Thread.sleep(batchPace.toMillis(), batchPace.toNanosPart() % 1_000_000);
                }
                sample.stop(batches);
                samples.increment(BATCH_SIZE);
            }
            run.log(Map.of("lr", simulation.step(step)), step);
            if (mode == StepMode.MANUAL) {
                registry.step(step);
            }
        }
    }

    private static DalvaConfig registryConfig(String project, StepMode mode, Duration stepInterval) {
        Map<String, String> properties = Map.of("dalva.project", project, "dalva.metrics.export.stepMode", mode.name(),
                "dalva.metrics.export.step", stepInterval.toMillis() + "ms");
        return properties::get;
    }

    private static StepMode stepMode(String mode) {
        try {
            return StepMode.valueOf(mode.strip().toUpperCase(Locale.ROOT));
        }
        catch (IllegalArgumentException e) {
            throw new UsageException("--mode must be manual or timed, was '" + mode + "'");
        }
    }

    private static void markFailed(DalvaRun run, Exception cause) {
        try {
            run.fail();
        }
        catch (DalvaException e) {
            cause.addSuppressed(e);
        }
    }

    /** Reads back what the run holds, through the API, and prints it. */
    private static void report(DalvaRun run, PrintStream out) {
        DalvaClient client = run.client();
        out.println("Run " + run.runId() + " finished; the server holds:");
        List<Double> loss = new ArrayList<>();
        List<MetricPath> paths = client.listMetrics(run.id());
        int width = paths.stream().mapToInt(p -> p.path().length()).max().orElse(0);
        String columns = "  %-" + width + "s %-14s ";
        for (MetricPath path : paths) {
            if (!path.isSeries()) {
                Object value = run.getMetric(path.path());
                out.printf(columns + "%s%n", path.path(), path.attributeType(),
                        value instanceof Double d ? String.format("%.4f", d) : value);
                continue;
            }
            List<MetricPoint> points = readAll(client, run.id(), path.path());
            int first = points.isEmpty() ? 0 : points.get(0).step();
            int last = points.isEmpty() ? 0 : points.get(points.size() - 1).step();
            out.printf(columns + "%d steps (%d..%d)%n", path.path(), path.attributeType(), points.size(), first, last);
            if (path.path().equals("train.loss/value")) {
                points.forEach(p -> loss.add(((Number) p.value()).doubleValue()));
            }
        }
        if (!loss.isEmpty()) {
            out.printf("  loss %s  %.3f -> %.3f%n", Sparkline.of(loss, 60), loss.get(0), loss.get(loss.size() - 1));
        }
    }

    private static List<MetricPoint> readAll(DalvaClient client, long runId, String path) {
        List<MetricPoint> points = new ArrayList<>();
        int pageSize = 1000;
        MetricPage page;
        do {
            page = client.getMetricValues(runId, path, MetricQuery.page(pageSize, points.size()));
            points.addAll(page.data());
        }
        while (page.hasMore() && !page.data().isEmpty());
        return points;
    }

    private static boolean answers(String url) {
        try (DalvaClient probe = DalvaClient.builder()
            .serverUrl(url)
            .connectTimeout(Duration.ofSeconds(1))
            .callTimeout(Duration.ofSeconds(2))
            .build()) {
            probe.health();
            return true;
        }
        catch (DalvaException e) {
            return false;
        }
    }

    /**
     * A loss that decays with noise, an accuracy that rises, a cosine learning-rate
     * schedule.
     */
    private static final class Simulation {

        private final int steps;

        private final Random random;

        // NaN until the first step: a registry publishing before it skips them
        volatile double loss = Double.NaN;

        volatile double accuracy = Double.NaN;

        Simulation(int steps, Random random) {
            this.steps = steps;
            this.random = random;
        }

        /** Advances to {@code step}; returns its learning rate. */
        double step(int step) {
            double progress = steps == 1 ? 1 : step / (double) (steps - 1);
            double lr = 0.01 * 0.5 * (1 + Math.cos(Math.PI * progress));
            loss = Math.max(0.01,
                    0.08 + 2.2 * Math.exp(-5 * progress) + random.nextGaussian() * 0.03 * (1 - progress / 2));
            accuracy = Math.min(1, Math.max(0, 0.97 - 0.87 * Math.exp(-4.5 * progress) + random.nextGaussian() * 0.01));
            return lr;
        }

    }

}
