package io.dalva.cli;

import io.dalva.client.DeliveryFailure;
import io.dalva.run.DalvaSpool;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;

/**
 * {@code replay [DIR] [--server-url URL] [--timeout DURATION] [--new-run true]}: delivers
 * what runs left in a spool folder with {@link DalvaSpool#replay}, printing its progress.
 * Exit code 0 when everything was delivered, 1 when something is left or was rejected.
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
        return "replay [DIR] [--server-url URL] [--timeout DURATION] [--new-run true]";
    }

    @Override
    public String description() {
        return "delivers what runs left in the spool folder DIR; exit code 1 unless everything was delivered";
    }

    @Override
    public Set<String> options() {
        return Set.of("server-url", "timeout", "new-run");
    }

    @Override
    public int run(Arguments arguments, PrintStream out, PrintStream err) {
        Path dir = arguments.spoolFolder();
        Duration timeout = arguments.duration("timeout", DEFAULT_TIMEOUT);
        if (!Files.isDirectory(dir)) {
            err.println("dalva: no spool folder at " + dir);
            return 1;
        }
        out.println("Replaying " + dir + " ...");
        boolean newRun = "true".equalsIgnoreCase(arguments.get("new-run"));
        DalvaSpool.Result result = DalvaSpool.replay(dir, arguments.get("server-url"), timeout, newRun, out::println);
        out.println(result.runs() + " run(s), " + result.completed() + " fully delivered; " + result.delivered()
                + " event(s) delivered, " + result.remaining() + " left, " + result.failures().size()
                + " value(s) rejected, " + result.damaged() + " damaged, " + result.skipped() + " skipped (in use)");
        for (DeliveryFailure failure : result.failures()) {
            err.println("rejected: " + failure);
        }
        return result.allDelivered() ? 0 : 1;
    }

}
