package io.dalva.examples;

import java.io.PrintStream;
import java.util.Set;

/**
 * One command of the examples jar
 * ({@code java -jar dalva-examples.jar <name> [options]}).
 */
interface Command {

    /** The word that selects this command. */
    String name();

    /** The command and its options, e.g. {@code training [--steps N]}. */
    String usage();

    /** What the command does, in a line. */
    String description();

    /** The names of the {@code --options} it accepts. */
    Set<String> options();

    /**
     * Runs the command.
     * @return the process exit code: 0 on success
     * @throws UsageException on bad arguments (exit code 2, usage printed)
     */
    int run(Options options, PrintStream out, PrintStream err) throws Exception;

}
