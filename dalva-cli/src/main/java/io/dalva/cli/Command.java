package io.dalva.cli;

import java.io.PrintStream;
import java.util.Set;

/** One command of {@code dalva.jar} ({@code java -jar dalva.jar <name> [arguments]}). */
interface Command {

    /** The word that selects this command. */
    String name();

    /** The command and its arguments, e.g. {@code status [DIR]}. */
    String usage();

    /** What the command does, in a line. */
    String description();

    /** The names of the {@code --options} it accepts. */
    Set<String> options();

    /**
     * Runs the command.
     * @return the process exit code: 0 on success, 1 on failure
     * @throws UsageException on bad arguments (exit code 2)
     */
    int run(Arguments arguments, PrintStream out, PrintStream err);

}
