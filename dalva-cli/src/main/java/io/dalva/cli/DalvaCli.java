package io.dalva.cli;

import io.dalva.client.internal.Defaults;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Entry point of {@code dalva.jar}: {@code java -jar dalva.jar <command> [arguments]}.
 * Exit codes: 0 success, 1 failure (for {@code replay}: something was not delivered), 2
 * bad arguments (one line on standard error says why).
 */
public final class DalvaCli {

    /** Every command, in the order {@code --help} lists them. */
    static final List<Command> COMMANDS = List.of(new ReplayCommand(), new StatusCommand());

    private DalvaCli() {
    }

    public static void main(String[] args) {
        // The client logs through System.Logger, here java.util.logging: one line per
        // message.
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", "%4$s: %5$s%6$s%n");
        }
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
        System.exit(run(args, out, err));
    }

    /** Runs the command {@code args[0]} and returns the exit code. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        if (Arrays.asList(args).contains("--help") || (args.length == 1 && args[0].equals("help"))) {
            printHelp(out);
            return 0;
        }
        if (args.length == 0) {
            return usageError(err, "a command is needed: " + commandNames());
        }
        Optional<Command> found = COMMANDS.stream().filter(c -> c.name().equals(args[0])).findFirst();
        if (found.isEmpty()) {
            return usageError(err, "unknown command '" + args[0] + "' (commands: " + commandNames() + ")");
        }
        Command command = found.get();
        try {
            Arguments arguments = Arguments.parse(Arrays.asList(args).subList(1, args.length), command.options());
            return command.run(arguments, out, err);
        }
        catch (UsageException e) {
            return usageError(err, command.name() + ": " + e.getMessage());
        }
        catch (RuntimeException e) {
            err.println("dalva: " + command.name() + " failed: " + ((e.getMessage() != null) ? e.getMessage() : e));
            return 1;
        }
    }

    private static int usageError(PrintStream err, String message) {
        err.println("dalva: " + message + "; java -jar dalva.jar --help lists the commands and options");
        return 2;
    }

    private static String commandNames() {
        return String.join(", ", COMMANDS.stream().map(Command::name).toList());
    }

    private static void printHelp(PrintStream out) {
        out.println("usage: java -jar dalva.jar <command> [arguments]");
        out.println();
        out.println("commands:");
        for (Command command : COMMANDS) {
            out.println("  " + command.usage());
            out.println("      " + command.description());
        }
        out.println();
        out.println("arguments:");
        out.println("  DIR                  a spool folder, or one run folder in it (default "
                + Defaults.spoolDirectory() + ", or the system property " + Defaults.SPOOL_DIRECTORY_PROPERTY + ")");
        out.println("  --server-url URL     deliver to URL instead of the server each run was logged to");
        out.println("  --new-run true       when the server does not hold a spooled run (another server, a reset"
                + " database), create a new run there instead of refusing");
        out.println("  --timeout DURATION   the most replay spends on each run, like 500ms, 30s, 10m or PT1M"
                + " (default " + ReplayCommand.DEFAULT_TIMEOUT.toMinutes() + "m)");
        out.println("  --help               this help");
        out.println();
        out.println("exit codes: 0 success, 1 failure (replay: something is left or was rejected), 2 bad arguments");
    }

}
