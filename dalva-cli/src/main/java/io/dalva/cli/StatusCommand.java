package io.dalva.cli;

import io.dalva.run.SpoolStatus;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * {@code status [DIR]}: one line per run folder of a spool folder, read with
 * {@link SpoolStatus#list}; changes nothing.
 */
final class StatusCommand implements Command {

    @Override
    public String name() {
        return "status";
    }

    @Override
    public String usage() {
        return "status [DIR]";
    }

    @Override
    public String description() {
        return "lists each run folder in DIR: project, run, server, undelivered events and values, "
                + "whether a live process holds it; changes nothing";
    }

    @Override
    public Set<String> options() {
        return Set.of();
    }

    @Override
    public int run(Arguments arguments, PrintStream out, PrintStream err) {
        Path dir = arguments.spoolFolder();
        if (!Files.isDirectory(dir)) {
            err.println("dalva: no spool folder at " + dir);
            return 1;
        }
        List<SpoolStatus> statuses = SpoolStatus.list(dir);
        if (statuses.isEmpty()) {
            out.println("No run folders in " + dir + ": nothing to replay.");
            return 0;
        }
        out.println(statuses.size() + " run folder(s) in " + dir + ":");
        for (SpoolStatus status : statuses) {
            out.println(line(status));
        }
        return 0;
    }

    /**
     * {@code <local id> project=P run=R server=URL undelivered=E events, V values held=yes|no},
     * then {@code problem=...} if any.
     */
    static String line(SpoolStatus status) {
        String run = (status.serverRunId() != null) ? status.serverRunId() : "-";
        return orDash(status.localId()) + "  project=" + orDash(status.project()) + "  run=" + run + "  server="
                + orDash(status.serverUrl()) + "  undelivered=" + status.events() + " events, " + status.values()
                + " values  held=" + (status.held() ? "yes" : "no")
                + ((status.problem() != null) ? "  problem=" + status.problem() : "");
    }

    private static String orDash(String text) {
        return (text != null) ? text : "-";
    }

}
