package io.dalva.examples;

import io.dalva.run.DalvaSpool;
import io.dalva.client.DeliveryFailure;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * {@code replay [DIR] [--server-url URL] [--timeout DURATION]}: delivers what runs left
 * in a spool folder (default {@code ~/.dalva/java-spool}) with {@link DalvaSpool#replay},
 * printing its progress. Exit code 0 when everything was delivered, 1 when some is left
 * or was rejected.
 */
final class ReplayCommand implements Command {

    @Override
    public String name() {
        return "replay";
    }

    @Override
    public String usage() {
        return "replay [DIR] [--server-url URL] [--timeout DURATION]";
    }

    @Override
    public String description() {
        return "delivers the data runs left in a spool folder (default " + DalvaSpool.DEFAULT_DIRECTORY + ")";
    }

    @Override
    public Set<String> options() {
        return Set.of("server-url", "timeout");
    }

    @Override
    public int run(Options options, PrintStream out, PrintStream err) {
        List<String> positional = options.positional();
        if (positional.size() > 1) {
            throw new UsageException("one spool folder at most, got " + positional);
        }
        Path dir = positional.isEmpty() ? DalvaSpool.DEFAULT_DIRECTORY : Path.of(positional.get(0));
        if (!Files.isDirectory(dir)) {
            err.println("error: no spool folder at " + dir);
            return 1;
        }
        Duration timeout = options.getDuration("timeout", Duration.ofMinutes(10));
        out.println("Replaying " + dir + " ...");
        DalvaSpool.Result result = DalvaSpool.replay(dir, options.get("server-url"), timeout, out::println);
        out.println(result.runs() + " run(s), " + result.completed() + " fully delivered; " + result.delivered()
                + " event(s) delivered, " + result.remaining() + " left, " + result.failures().size()
                + " value(s) rejected");
        for (DeliveryFailure failure : result.failures()) {
            err.println("rejected: " + failure);
        }
        return result.remaining() == 0 && result.failures().isEmpty() ? 0 : 1;
    }

}
