package io.dalva.client;

import java.time.Instant;
import java.util.List;

/**
 * A run as the server describes it.
 *
 * @param id the database id
 * @param projectId the database id of the run's project
 * @param runId the human id such as {@code "DEM-7"}
 * @param name the name, may be {@code null}
 * @param groupName the group, may be {@code null}
 * @param tags the tags, empty when none
 * @param state the state
 * @param forkFrom the database id of the run this one was forked from, or {@code null}
 * @param createdAt creation time
 * @param updatedAt last update time
 */
public record RunInfo(long id, long projectId, String runId, String name, String groupName, List<String> tags,
        RunState state, Long forkFrom, Instant createdAt, Instant updatedAt) {

    public RunInfo {
        tags = List.copyOf(tags);
    }
}
