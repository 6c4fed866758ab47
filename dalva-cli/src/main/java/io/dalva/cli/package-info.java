/**
 * {@code dalva.jar}, the command line ({@code java -jar dalva.jar <command>}): replays
 * and inspects spooled runs. Not a library API.
 */
package io.dalva.cli;
