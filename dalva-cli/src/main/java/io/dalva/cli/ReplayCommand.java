package io.dalva.cli;

import io.dalva.client.DeliveryFailure;
import io.dalva.run.DalvaSpool;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;

/**
 * {@code replay [DIR] [--server-url URL] [--new-run true] [--timeout DURATION]}: delivers
 * what runs left in a spool folder with {@link DalvaSpool#replay}, printing its progress,
 * one line per run (and one per stretch of damaged events: file, seq range, count) and a
 * summary. Damaged events are never counted as delivered. Exit code 0 only when every run
 * was fully delivered.
 */
final class ReplayCommand implements Command {

    /** The most spent on each run unless {@code --timeout} says otherwise. */
    static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(10);

    @Override
    public String name() {
        return "replay";
    }

    @Override
    public String usage() {
        return "replay [DIR] [--server-url URL] [--new-run true] [--timeout DURATION]";
    }

    @Override
    public String description() {
        return "delivers what runs left in the spool folder DIR; exit code 1 unless everything was delivered";
    }

    @Override
    public Set<String> options() {
        return Set.of("server-url", "new-run", "timeout");
    }

    @Override
    public int run(Arguments arguments, PrintStream out, PrintStream err) {
        Path dir = arguments.spoolFolder();
        Duration timeout = arguments.duration("timeout", DEFAULT_TIMEOUT);
        boolean newRun = arguments.bool("new-run", false);
        if (!Files.isDirectory(dir)) {
            err.println("dalva: no spool folder at " + dir);
            return 1;
        }
        out.println("Replaying " + dir + " ...");
        DalvaSpool.Result result = DalvaSpool.replay(dir, arguments.get("server-url"), timeout, newRun, out::println);
        for (DalvaSpool.RunResult run : result.results()) {
            out.println(line(run));
            for (DalvaSpool.DamagedEvents damage : run.damage()) {
                out.println(run.run() + "  damaged, not delivered: " + damage);
            }
        }
        out.println(result.runs() + " run(s), " + result.completed() + " fully delivered, " + result.skipped()
                + " held by a live process; " + result.delivered() + " event(s) delivered, " + result.remaining()
                + " left, " + result.damaged() + " damaged, " + result.failures().size() + " value(s) rejected");
        for (DeliveryFailure failure : result.failures()) {
            err.println("rejected: " + failure);
        }
        return result.allDelivered() ? 0 : 1;
    }

    /**
     * {@code <run>  outcome=O  delivered=N left=N damaged=N missing=N rejected=N}, then
     * {@code detail=...} if any.
     */
    static String line(DalvaSpool.RunResult run) {
        return run.run() + "  outcome=" + run.outcome().name().toLowerCase(Locale.ROOT).replace('_', '-')
                + "  delivered=" + run.delivered() + " left=" + run.left() + " damaged=" + run.damaged() + " missing="
                + run.missing() + " rejected=" + run.failures().size()
                + ((run.detail() != null) ? "  detail=" + run.detail() : "");
    }

}
