package io.dalva.client;

/**
 * The run that {@link DalvaClient#initRun(RunInit)} created, resumed or forked.
 *
 * @param id the database id, used in every other call
 * @param runId the human id such as {@code "DEM-7"}, used to resume or fork
 * @param name the run's name, may be {@code null}
 */
public record RunHandle(long id, String runId, String name) {
}
