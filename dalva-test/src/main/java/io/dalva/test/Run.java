package io.dalva.test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/** A run row with its config and metric rows. Guarded by the {@link Store}'s lock. */
final class Run {

    static final DateTimeFormatter TIME = DateTimeFormatter.ISO_LOCAL_DATE_TIME;

    final long id;

    final Project project;

    final String runId;

    final String name;

    final String groupName;

    final String tags;

    final Long forkFrom;

    final LocalDateTime createdAt;

    String state = "running";

    LocalDateTime updatedAt;

    /** Flattened keys to their JSON values, in insertion order. */
    final Map<String, JsonNode> config = new LinkedHashMap<>();

    final Map<String, PathRows> metrics = new HashMap<>();

    Run(long id, Project project, String name, String groupName, String tags, Long forkFrom, LocalDateTime now) {
        this.id = id;
        this.project = project;
        this.runId = Project.abbreviation(project.name) + "-" + id;
        this.name = name;
        this.groupName = groupName;
        this.tags = tags;
        this.forkFrom = forkFrom;
        this.createdAt = now;
        this.updatedAt = now;
    }

    void insert(Row row) {
        metrics.computeIfAbsent(row.path(), p -> new PathRows()).add(row);
    }

    int valueCount() {
        return metrics.values().stream().mapToInt(PathRows::size).sum();
    }

    /** {@code RunResponse}, fields in pydantic's order. */
    ObjectNode toJson() {
        return Json.object()
            .put("run_id", runId)
            .put("name", name)
            .put("group_name", groupName)
            .put("tags", tags)
            .put("state", state)
            .put("id", id)
            .put("project_id", project.id)
            .put("fork_from", forkFrom)
            .put("created_at", TIME.format(createdAt))
            .put("updated_at", TIME.format(updatedAt));
    }

    ObjectNode configJson() {
        ObjectNode json = Json.object();
        config.forEach(json::set);
        return json;
    }

}
