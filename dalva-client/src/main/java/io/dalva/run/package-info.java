/**
 * Runs: {@link io.dalva.run.DalvaRun}, the Java counterpart of Dalva's Python {@code Run}
 * (create, resume, fork, log, config, finish), delivered asynchronously through a
 * crash-safe journal, and {@link io.dalva.run.DalvaSpool}, the replay of what runs left
 * in a spool folder.
 */
package io.dalva.run;
