package io.dalva.examples;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Entry point of {@code dalva-examples.jar}:
 * {@code java -jar dalva-examples.jar <command> [options]}. A small dispatcher; each
 * command is a {@link Command} listed in {@link #COMMANDS}.
 */
public final class Examples {

    /** Every command; add new ones here. */
    static final List<Command> COMMANDS = List.of(new TrainingDemo());

    private Examples() {
    }

    public static void main(String[] args) {
        // Dalva's client logs through System.Logger (java.util.logging here): one line
        // per message.
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", "%4$s: %5$s%6$s%n");
        }
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
        System.exit(run(args, out, err));
    }

    /**
     * Runs the command {@code args[0]}; returns the exit code: 0 success, 1 failure, 2
     * bad usage.
     */
    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0) {
            printUsage(err);
            return 2;
        }
        if (args[0].equals("help") || args[0].equals("--help")) {
            printUsage(out);
            return 0;
        }
        Optional<Command> found = COMMANDS.stream().filter(c -> c.name().equals(args[0])).findFirst();
        if (found.isEmpty()) {
            err.println("error: unknown command '" + args[0] + "'");
            printUsage(err);
            return 2;
        }
        Command command = found.get();
        try {
            Options options = Options.parse(Arrays.asList(args).subList(1, args.length), command.options());
            return command.run(options, out, err);
        }
        catch (UsageException e) {
            err.println("error: " + e.getMessage());
            err.println("usage: java -jar dalva-examples.jar " + command.usage());
            return 2;
        }
        catch (Exception e) {
            err.println("error: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            return 1;
        }
    }

    private static void printUsage(PrintStream stream) {
        stream.println("usage: java -jar dalva-examples.jar <command> [options]");
        for (Command command : COMMANDS) {
            stream.println("  " + command.usage());
            stream.println("      " + command.description());
        }
    }

}
