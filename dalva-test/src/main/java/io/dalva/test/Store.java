package io.dalva.test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.math.BigInteger;
import java.time.Clock;
import java.time.LocalDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Dalva's database in memory: projects, runs, configs and metric rows, with the rules of
 * {@code services/logger.py} and {@code api/routes/*.py}. Every method is one transaction
 * under the store's lock: it either throws an {@link ApiError} and changes nothing
 * (except id sequences, which DuckDB does not roll back either), or applies all of its
 * changes.
 */
final class Store {

    private final Clock clock = Clock.systemUTC();

    private final Map<Long, Project> projects = new LinkedHashMap<>();

    private final Map<Long, Run> runs = new LinkedHashMap<>();

    private long projectSeq;

    private long runSeq;

    private long metricSeq;

    // ------------------------------------------------------------------ lifecycle

    /**
     * Each start of the real server burns one value of every id sequence
     * ({@code _sync_sequences}).
     */
    synchronized void serverStarted() {
        projectSeq++;
        runSeq++;
        metricSeq++;
    }

    // ------------------------------------------------------------------ runs

    synchronized ObjectNode initRun(String projectName, String name, ObjectNode config, String resumeFrom,
            String forkFrom) {
        if (forkFrom != null) {
            return fork(projectName, name, forkFrom);
        }
        LocalDateTime now = now();
        Project project = projectByName(projectName);
        boolean newProject = project == null;
        if (newProject) {
            project = Project.named(++projectSeq, projectName, now);
        }
        if (resumeFrom != null && !resumeFrom.isEmpty()) {
            Run existing = newProject ? null : runIn(project, resumeFrom);
            if (existing == null) {
                throw ApiError.internal(); // ValueError("Run ... not found"), unhandled
                                           // by the route
            }
            if (config != null && !config.isEmpty()) {
                Map<String, JsonNode> flat = KeyPaths.flatten(config);
                if (flat.keySet().stream().anyMatch(existing.config::containsKey)) {
                    throw ApiError.internal(); // ValueError("Config key(s) ... already
                                               // exist"), unhandled
                }
                existing.config.putAll(flat);
            }
            existing.state = "running";
            existing.updatedAt = now;
            return initResponse(existing.id, existing.runId, existing.name);
        }
        if (newProject) {
            projects.put(project.id, project);
        }
        long id = ++runSeq;
        Run run = new Run(id, project, name, null, null, null, now);
        runs.put(id, run);
        if (config != null) {
            run.config.putAll(KeyPaths.flatten(config));
        }
        return initResponse(id, run.runId, name);
    }

    private ObjectNode fork(String projectName, String name, String forkFrom) {
        LocalDateTime now = now();
        Project project = projectByName(projectName);
        Run source = null;
        if (project == null) {
            project = Project.named(++projectSeq, projectName, now);
        }
        else {
            source = runIn(project, forkFrom);
        }
        if (source == null) {
            throw ApiError.notFound("Run '" + forkFrom + "' not found in project '" + projectName + "'");
        }
        long id = ++runSeq;
        String newName = name != null && !name.isEmpty() ? name
                : "fork of " + (source.name == null ? "None" : source.name);
        Run run = new Run(id, project, newName, source.groupName, source.tags, source.id, now);
        run.config.putAll(source.config);
        source.metrics.values()
            .stream()
            .flatMap(rows -> rows.rows().stream())
            .sorted(Comparator.comparingLong(Row::id))
            .forEach(row -> run
                .insert(new Row(++metricSeq, row.path(), row.type(), row.step(), row.timestamp(), row.value())));
        runs.put(id, run);
        return initResponse(id, run.runId, newName);
    }

    private static ObjectNode initResponse(long id, String runId, String name) {
        return Json.object().put("id", id).put("run_id", runId).put("name", name);
    }

    synchronized ObjectNode getRun(long id) {
        return runOr404(id).toJson();
    }

    synchronized ObjectNode finish(long id) {
        Run run = runOr404(id);
        run.state = "completed";
        run.updatedAt = now();
        return Json.object().put("state", "completed");
    }

    synchronized ObjectNode setState(long id, String state) {
        Run run = runOr404(id);
        if (!run.state.equals(state)) {
            run.state = state;
            run.updatedAt = now();
        }
        return run.toJson();
    }

    synchronized ObjectNode deleteRun(long id) {
        runOr404(id);
        runs.remove(id);
        return Json.object().put("message", "Run deleted successfully");
    }

    synchronized ObjectNode summary(long id) {
        Run run = runOr404(id);
        ObjectNode json = run.toJson();
        json.putNull("tags"); // the route builds RunSummary without tags and fork_from
        json.putNull("fork_from");
        ObjectNode metrics = json.putObject("metrics");
        run.metrics.values()
            .stream()
            .map(rows -> rows.scalar)
            .filter(java.util.Objects::nonNull)
            .sorted(Comparator.comparingLong(Row::id).reversed())
            .forEach(row -> metrics.set(row.path(), Json.value(row.value())));
        json.set("config", run.configJson());
        return json;
    }

    synchronized ObjectNode listRuns(RunQuery query, BigInteger limit, BigInteger offset) {
        List<Run> selected = query.select(runs.values());
        ObjectNode json = Json.object();
        ArrayNode list = json.putArray("runs");
        KeyPaths.page(selected, limit, offset).forEach(r -> list.add(r.toJson()));
        json.put("total", selected.size());
        json.put("has_more", KeyPaths.hasMore(limit, offset, selected.size()));
        return json;
    }

    // ------------------------------------------------------------------ projects

    synchronized ArrayNode listProjects(BigInteger limit, BigInteger offset) {
        List<Project> sorted = new ArrayList<>(projects.values());
        sorted.sort(Comparator.comparing((Project p) -> p.createdAt).thenComparingLong(p -> p.id).reversed());
        ArrayNode list = Json.array();
        KeyPaths.page(sorted, limit, offset).forEach(p -> list.add(projectJson(p)));
        return list;
    }

    synchronized ObjectNode getProject(long id) {
        return projectJson(projectOr404(id));
    }

    synchronized ObjectNode createProject(String name, String projectId) {
        if (projects.values().stream().anyMatch(p -> p.name.equals(name) || p.projectId.equals(projectId))) {
            throw ApiError.detail(400, "Project with this name or ID already exists");
        }
        Project project = Project.of(++projectSeq, name, projectId, now());
        projects.put(project.id, project);
        return Json.object()
            .put("name", name)
            .put("project_id", projectId)
            .put("id", project.id)
            .put("created_at", Run.TIME.format(project.createdAt))
            .put("updated_at", Run.TIME.format(project.updatedAt));
    }

    synchronized ObjectNode deleteProject(long id) {
        Project project = projectOr404(id);
        projects.remove(id);
        runs.values().removeIf(r -> r.project == project);
        return Json.object().put("message", "Project deleted successfully");
    }

    synchronized ArrayNode projectTags(long id) {
        Project project = projectOr404(id);
        Set<String> tags = new java.util.TreeSet<>(KeyPaths::compareCodepoints);
        runs.values()
            .stream()
            .filter(r -> r.project == project && r.tags != null && !r.tags.isEmpty())
            .forEach(r -> java.util.Arrays.stream(r.tags.split(",", -1)).map(String::strip).forEach(tags::add));
        ArrayNode list = Json.array();
        tags.forEach(list::add);
        return list;
    }

    synchronized ArrayNode availableColumns(long id) {
        Project project = projectOr404(id);
        Set<String> paths = new java.util.TreeSet<>(KeyPaths::compareCodepoints);
        Set<String> excluded = Set.of("bool", "bool_series", "string", "string_series");
        runs.values().stream().filter(r -> r.project == project).forEach(r -> r.metrics.forEach((path, rows) -> {
            if (rows.scalar != null && !excluded.contains(rows.scalar.type())) {
                paths.add(path);
            }
        }));
        ArrayNode list = Json.array();
        paths.forEach(list::add);
        return list;
    }

    private Project projectOr404(long id) {
        Project project = projects.get(id);
        if (project == null) {
            throw ApiError.notFound("Project not found");
        }
        return project;
    }

    private ObjectNode projectJson(Project p) {
        ObjectNode json = Json.object()
            .put("name", p.name)
            .put("project_id", p.projectId)
            .put("id", p.id)
            .put("created_at", Run.TIME.format(p.createdAt))
            .put("updated_at", Run.TIME.format(p.updatedAt));
        int total = 0;
        int running = 0;
        int completed = 0;
        int failed = 0;
        for (Run run : runs.values()) {
            if (run.project == p) {
                total++;
                running += run.state.equals("running") ? 1 : 0;
                completed += run.state.equals("completed") ? 1 : 0;
                failed += run.state.equals("failed") ? 1 : 0;
            }
        }
        return json.put("total_runs", total)
            .put("running_runs", running)
            .put("completed_runs", completed)
            .put("failed_runs", failed);
    }

    // ------------------------------------------------------------------ metrics

    /** {@code POST /api/runs/{id}/log}. */
    synchronized ObjectNode log(long runId, ObjectNode metrics, BigInteger step, LocalDateTime timestamp) {
        Run run = runOr404(runId);
        Map<String, JsonNode> flat = KeyPaths.flatten(metrics);
        List<String> nonScalar = MetricWrite.nonScalarKeys(flat);
        if (!nonScalar.isEmpty()) {
            ObjectNode detail = Json.object().put("message", "Metric values must be scalars (str, bool, int, float)");
            ArrayNode keys = detail.putArray("invalid_keys");
            nonScalar.forEach(keys::add);
            throw new ApiError(422, Json.object().set("detail", detail));
        }
        LocalDateTime now = now();
        MetricWrite write = new MetricWrite(run);
        List<String> conflicts = write.add(flat, step, timestamp == null ? now : timestamp);
        if (!conflicts.isEmpty()) {
            throw ApiError.conflict("Metric logging conflict(s)", conflicts);
        }
        write.commit(() -> ++metricSeq);
        run.updatedAt = now;
        return success();
    }

    /** One entry of {@code POST /api/runs/{id}/log/batch}. */
    record BatchEntry(ObjectNode metrics, BigInteger step) {
    }

    /** {@code POST /api/runs/{id}/log/batch}: all entries or none. */
    synchronized ObjectNode logBatch(long runId, List<BatchEntry> entries) {
        Run run = runOr404(runId);
        LocalDateTime now = now();
        MetricWrite write = new MetricWrite(run);
        List<String> conflicts = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            BatchEntry entry = entries.get(i);
            Map<String, JsonNode> flat = KeyPaths.flatten(entry.metrics());
            List<String> nonScalar = MetricWrite.nonScalarKeys(flat);
            String prefix = "Entry " + i + ": ";
            if (!nonScalar.isEmpty()) {
                conflicts.add(prefix + "Non-scalar values for keys: " + Json.pyListRepr(nonScalar));
                continue;
            }
            write.add(flat, entry.step(), now).forEach(c -> conflicts.add(prefix + c));
        }
        if (!conflicts.isEmpty()) {
            throw ApiError.conflict("Batch metric logging conflict(s)", conflicts);
        }
        write.commit(() -> ++metricSeq);
        run.updatedAt = now;
        return success();
    }

    synchronized ObjectNode getMetric(long runId, String path, BigInteger step) {
        Run run = runOr404(runId);
        PathRows rows = run.metrics.get(path);
        Row row = null;
        if (rows != null) {
            if (step != null) {
                row = MetricWrite.find(rows, step);
            }
            else {
                row = rows.series.isEmpty() ? rows.scalar : rows.series.lastEntry().getValue();
            }
        }
        if (row == null) {
            throw ApiError.notFound("Metric '" + path + "' not found for this run");
        }
        ObjectNode json = Json.object().put("key", path);
        json.set("value", Json.value(row.value()));
        return json.put("step", row.step());
    }

    synchronized ObjectNode deleteMetric(long runId, String path, BigInteger step) {
        Run run = runOr404(runId);
        PathRows rows = run.metrics.get(path);
        List<Row> doomed = new ArrayList<>();
        if (rows != null) {
            if (step != null) {
                Row row = MetricWrite.find(rows, step);
                if (row != null && row.step() != null) {
                    doomed.add(row);
                }
            }
            else {
                doomed.addAll(rows.rows());
            }
        }
        if (doomed.isEmpty()) {
            throw ApiError.notFound("No metric '" + path + "' found for this run");
        }
        doomed.forEach(rows::remove);
        if (rows.size() == 0) {
            run.metrics.remove(path);
        }
        return Json.object()
            .put("message", "Removed " + doomed.size() + " metric row(s) for '" + path + "'")
            .put("count", doomed.size());
    }

    /**
     * {@code POST /api/metrics/summary}: the latest value (highest step, else the scalar)
     * per run and path.
     */
    synchronized ObjectNode summaryMetrics(List<BigInteger> runIds, List<String> paths) {
        ObjectNode result = Json.object();
        if (runIds.isEmpty() || paths.isEmpty()) {
            return result;
        }
        for (BigInteger id : runIds) {
            ObjectNode values = result.putObject(id.toString());
            Run run = id.bitLength() < 64 ? runs.get(id.longValue()) : null;
            if (run == null) {
                continue;
            }
            for (String path : paths) {
                PathRows rows = run.metrics.get(path);
                Row row = rows == null ? null
                        : rows.series.isEmpty() ? rows.scalar : rows.series.lastEntry().getValue();
                if (row != null) {
                    values.set(path, Json.value(row.value()));
                }
            }
        }
        return result;
    }

    /** Tables are not kept by the test server: a run has none. */
    synchronized ArrayNode runTables(long runId) {
        runOr404(runId);
        return Json.array();
    }

    synchronized ArrayNode listMetrics(long runId) {
        Run run = runOr404(runId);
        ArrayNode list = Json.array();
        run.metrics.entrySet()
            .stream()
            .sorted(Map.Entry.comparingByKey(KeyPaths::compareCodepoints))
            .forEach(e -> list
                .add(Json.object().put("path", e.getKey()).put("attribute_type", e.getValue().first().type())));
        return list;
    }

    synchronized ObjectNode metricValues(long runId, String path, BigInteger limit, BigInteger offset,
            BigInteger stepMin, BigInteger stepMax) {
        Run run = runOr404(runId);
        PathRows rows = run.metrics.get(path);
        List<Row> selected = new ArrayList<>();
        if (rows != null) {
            for (Row row : rows.rows()) {
                BigInteger step = row.step() == null ? null : BigInteger.valueOf(row.step());
                if (stepMin != null && (step == null || step.compareTo(stepMin) < 0)) {
                    continue;
                }
                if (stepMax != null && (step == null || step.compareTo(stepMax) > 0)) {
                    continue;
                }
                selected.add(row);
            }
        }
        List<Row> page = KeyPaths.page(selected, limit, offset);
        ObjectNode json = Json.object();
        ArrayNode data = json.putArray("data");
        String attributeType = null;
        for (Row row : page) {
            attributeType = row.type();
            ObjectNode value = data.addObject()
                .put("step", row.step())
                .put("timestamp", Run.TIME.format(row.timestamp()));
            value.set("value", Json.value(row.value()));
            value.put("attribute_type", row.type());
        }
        json.put("has_more", KeyPaths.hasMore(limit, offset, selected.size()));
        json.put("attribute_type", attributeType);
        return json;
    }

    // ------------------------------------------------------------------ config

    synchronized ObjectNode logConfig(long runId, ObjectNode config) {
        Run run = runOr404(runId);
        Map<String, JsonNode> flat = KeyPaths.flatten(config);
        for (String key : flat.keySet()) {
            if (run.config.containsKey(key)) {
                throw ApiError.conflict("Config logging conflict(s)", List.of("Config key '" + key
                        + "' already exists for this run. Use remove_config('" + key + "') first to overwrite."));
            }
        }
        run.config.putAll(flat);
        return success();
    }

    synchronized ObjectNode getConfig(long runId) {
        return runOr404(runId).configJson();
    }

    synchronized ObjectNode getConfigValue(long runId, String key) {
        Run run = runOr404(runId);
        JsonNode value = run.config.get(key);
        if (value == null) {
            throw ApiError.notFound("Config key '" + key + "' not found for this run");
        }
        ObjectNode json = Json.object().put("key", key);
        json.set("value", value);
        return json;
    }

    synchronized ObjectNode deleteConfig(long runId, String key) {
        Run run = runOr404(runId);
        if (run.config.remove(key) == null) {
            throw ApiError.notFound("Config key '" + key + "' not found for this run");
        }
        return Json.object().put("message", "Config key '" + key + "' removed");
    }

    private static ObjectNode configJson(Run run) {
        ObjectNode json = Json.object();
        run.config.forEach(json::set);
        return json;
    }

    // ------------------------------------------------------------------ assertion
    // helpers

    synchronized List<StoredRun> storedRuns() {
        return runs.values().stream().map(Store::stored).toList();
    }

    synchronized StoredRun storedRun(long id) {
        Run run = runs.get(id);
        return run == null ? null : stored(run);
    }

    synchronized StoredRun storedRunByRunId(String runId) {
        return runs.values().stream().filter(r -> r.runId.equals(runId)).findFirst().map(Store::stored).orElse(null);
    }

    private static StoredRun stored(Run run) {
        Map<String, Object> config = new LinkedHashMap<>();
        run.config.forEach((k, v) -> config.put(k, Json.toJava(v)));
        return new StoredRun(run.id, run.runId, run.name, run.project.name, run.state,
                Collections.unmodifiableMap(config), run.forkFrom);
    }

    synchronized TreeMap<Integer, Object> series(long runId, String path) {
        TreeMap<Integer, Object> series = new TreeMap<>();
        Run run = runs.get(runId);
        PathRows rows = run == null ? null : run.metrics.get(path);
        if (rows != null) {
            rows.series.forEach((step, row) -> series.put(step, javaValue(row.value())));
        }
        return series;
    }

    synchronized Map<String, Object> scalars(long runId) {
        Map<String, Object> scalars = new TreeMap<>();
        Run run = runs.get(runId);
        if (run != null) {
            run.metrics.forEach((path, rows) -> {
                if (rows.scalar != null) {
                    scalars.put(path, javaValue(rows.scalar.value()));
                }
            });
        }
        return scalars;
    }

    synchronized String attributeType(long runId, String path) {
        Run run = runs.get(runId);
        PathRows rows = run == null ? null : run.metrics.get(path);
        return rows == null ? null : rows.first().type();
    }

    synchronized Set<String> paths(long runId) {
        Run run = runs.get(runId);
        Set<String> paths = new java.util.TreeSet<>(KeyPaths::compareCodepoints);
        if (run != null) {
            paths.addAll(run.metrics.keySet());
        }
        return paths;
    }

    synchronized int valueCount(long runId) {
        Run run = runs.get(runId);
        return run == null ? 0 : run.valueCount();
    }

    synchronized boolean runExists(long runId) {
        return runs.containsKey(runId);
    }

    private static Object javaValue(Object value) {
        return value instanceof Double d && Double.isNaN(d) ? null : value;
    }

    // ------------------------------------------------------------------ helpers

    private Run runOr404(long id) {
        Run run = runs.get(id);
        if (run == null) {
            throw ApiError.notFound("Run not found");
        }
        return run;
    }

    private Project projectByName(String name) {
        return projects.values().stream().filter(p -> p.name.equals(name)).findFirst().orElse(null);
    }

    private Run runIn(Project project, String runId) {
        return runs.values()
            .stream()
            .filter(r -> r.project == project && r.runId.equals(runId))
            .findFirst()
            .orElse(null);
    }

    private static ObjectNode success() {
        return Json.object().put("success", true);
    }

    private LocalDateTime now() {
        return LocalDateTime.now(clock).truncatedTo(ChronoUnit.MICROS);
    }

}
