package io.dalva.client;

import java.time.Instant;

/**
 * A project and its run counts.
 *
 * @param id the database id (the {@code projectId} of its runs)
 * @param name the name runs are created with
 * @param projectId the server's generated string id
 * @param createdAt creation time
 * @param updatedAt last update time
 * @param totalRuns number of runs
 * @param runningRuns runs in state running
 * @param completedRuns runs in state completed
 * @param failedRuns runs in state failed
 */
public record ProjectInfo(long id, String name, String projectId, Instant createdAt, Instant updatedAt, int totalRuns,
        int runningRuns, int completedRuns, int failedRuns) {
}
