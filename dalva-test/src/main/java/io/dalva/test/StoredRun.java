package io.dalva.test;

import java.util.Map;

/**
 * A run as the test server holds it, for assertions.
 *
 * @param id the database id used in every URL
 * @param runId the human id such as {@code "DEM-7"}
 * @param name the run's name, or null
 * @param project the project's name
 * @param state {@code running}, {@code completed} or {@code failed}
 * @param config the flattened config: values are Long (BigInteger when huge), Double
 * (null when not finite), Boolean, String, List or null
 * @param forkFrom the database id of the run it was forked from, or null
 */
public record StoredRun(long id, String runId, String name, String project, String state, Map<String, Object> config,
        Long forkFrom) {
}
