package io.dalva.examples;

import io.dalva.client.DalvaClient;
import io.dalva.client.DalvaException;
import io.dalva.client.DalvaRun;
import io.dalva.client.MetricPage;
import io.dalva.client.MetricPath;
import io.dalva.client.MetricPoint;
import io.dalva.client.MetricQuery;
import io.dalva.test.DalvaTestServer;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;

/**
 * {@code training}: a small simulated training loop (loss, accuracy, learning rate per step
 * and a config map) logged through {@link DalvaRun}, then read back through the API.
 */
final class TrainingDemo implements Command {

    private final String localServer;

    private final Function<String, String> environment;

    TrainingDemo() {
        this(DalvaClient.DEFAULT_SERVER_URL, System::getenv);
    }

    /** A demo that probes {@code localServer} and reads {@code DALVA_SERVER_URL} from {@code environment}. */
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
        return "training [--server-url URL] [--project NAME] [--steps N] [--pace DURATION]";
    }

    @Override
    public String description() {
        return "logs a simulated training run (to an embedded server if none answers at " + localServer + ")";
    }

    @Override
    public Set<String> options() {
        return Set.of("server-url", "project", "steps", "pace");
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
            return train(serverUrl, project, steps, pace, out);
        }
        finally {
            if (embedded != null) {
                embedded.close();
            }
        }
    }

    private int train(String serverUrl, String project, int steps, Duration pace, PrintStream out)
            throws InterruptedException {
        Map<String, Object> config = Map.of("optimizer", "adam", "lr", 0.01, "batch_size", 64, "seed", 42,
                "model", Map.of("layers", 4, "hidden", 256, "dropout", 0.1));
        try (DalvaClient client = DalvaClient.builder().serverUrl(serverUrl).build()) {
            client.health(); // fail fast: a run would start anyway and spool its data until the server answers
        }
        try (DalvaRun run = DalvaRun.builder().serverUrl(serverUrl).project(project).name("training-demo")
            .config(config).start()) {
            out.println("Run " + run.runId() + " (id " + run.id() + ") in project " + project + " at " + serverUrl
                    + ": logging " + steps + " steps ...");
            try {
                Simulation simulation = new Simulation(steps, new Random(42));
                for (int step = 0; step < steps; step++) {
                    run.log(simulation.step(step), step);
                    if (!pace.isZero()) {
                        Thread.sleep(pace.toMillis(), pace.toNanosPart() % 1_000_000);
                    }
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
        for (MetricPath path : client.listMetrics(run.id())) {
            if (!path.isSeries()) {
                Object value = run.getMetric(path.path());
                out.printf("  %-16s %-14s %s%n", path.path(), path.attributeType(),
                        value instanceof Double d ? String.format("%.4f", d) : value);
                continue;
            }
            List<MetricPoint> points = readAll(client, run.id(), path.path());
            int first = points.isEmpty() ? 0 : points.get(0).step();
            int last = points.isEmpty() ? 0 : points.get(points.size() - 1).step();
            out.printf("  %-16s %-14s %d steps (%d..%d)%n", path.path(), path.attributeType(), points.size(), first, last);
            if (path.path().equals("train/loss")) {
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
        try (DalvaClient probe = DalvaClient.builder().serverUrl(url).connectTimeout(Duration.ofSeconds(1))
            .callTimeout(Duration.ofSeconds(2)).build()) {
            probe.health();
            return true;
        }
        catch (DalvaException e) {
            return false;
        }
    }

    /** A loss that decays with noise, an accuracy that rises, a cosine learning-rate schedule. */
    private static final class Simulation {

        private final int steps;

        private final Random random;

        double loss;

        double accuracy;

        Simulation(int steps, Random random) {
            this.steps = steps;
            this.random = random;
        }

        Map<String, Object> step(int step) {
            double progress = steps == 1 ? 1 : step / (double) (steps - 1);
            double lr = 0.01 * 0.5 * (1 + Math.cos(Math.PI * progress));
            loss = Math.max(0.01, 0.08 + 2.2 * Math.exp(-5 * progress) + random.nextGaussian() * 0.03 * (1 - progress / 2));
            accuracy = Math.min(1, Math.max(0, 0.97 - 0.87 * Math.exp(-4.5 * progress) + random.nextGaussian() * 0.01));
            return Map.of("train", Map.of("loss", loss, "accuracy", accuracy), "lr", lr);
        }
    }
}
