package io.dalva.test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Dalva's database in memory: projects, runs, configs and metric rows, with the rules of
 * {@code services/logger.py} and {@code api/routes/*.py}. Every method is one transaction under
 * the store's lock: it either throws an {@link ApiError} and changes nothing (except id
 * sequences, which DuckDB does not roll back either), or applies all of its changes.
 */
final class Store {

    static final String SERIES = "_series";

    private static final BigInteger INT_MIN = BigInteger.valueOf(Integer.MIN_VALUE);

    private static final BigInteger INT_MAX = BigInteger.valueOf(Integer.MAX_VALUE);

    /** The unique index is on {@code COALESCE(step, -999999999)}. */
    private static final int NULL_STEP_KEY = -999999999;

    private static final DateTimeFormatter TIME = DateTimeFormatter.ISO_LOCAL_DATE_TIME;

    private static final Set<String> RUN_COLUMNS = Set.of("id", "project_id", "run_id", "name", "group_name", "tags",
            "state", "created_at", "updated_at", "last_activity_at", "fork_from");

    private static final Set<String> RUN_NON_COLUMNS = Set.of("project", "metrics", "configs", "files",
            "dalva_tables", "metadata", "registry");

    private final Clock clock = Clock.systemUTC();

    private final Map<Long, Project> projects = new LinkedHashMap<>();

    private final Map<Long, Run> runs = new LinkedHashMap<>();

    private long projectSeq;

    private long runSeq;

    private long metricSeq;

    // ------------------------------------------------------------------ model

    static final class Project {
        final long id;
        final String name;
        final String projectId;
        final LocalDateTime createdAt;
        final LocalDateTime updatedAt;

        Project(long id, String name, String projectId, LocalDateTime now) {
            this.id = id;
            this.name = name;
            this.projectId = projectId;
            this.createdAt = now;
            this.updatedAt = now;
        }
    }

    static final class Run {
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
        final Map<String, JsonNode> config = new LinkedHashMap<>();
        final Map<String, PathRows> metrics = new HashMap<>();

        Run(long id, Project project, String runId, String name, String groupName, String tags, Long forkFrom,
                LocalDateTime now) {
            this.id = id;
            this.project = project;
            this.runId = runId;
            this.name = name;
            this.groupName = groupName;
            this.tags = tags;
            this.forkFrom = forkFrom;
            this.createdAt = now;
            this.updatedAt = now;
        }

        int valueCount() {
            return metrics.values().stream().mapToInt(PathRows::size).sum();
        }
    }

    /** One metric row: value is a Double (maybe NaN), Long, Boolean or String. */
    record Row(long id, String path, String type, Integer step, LocalDateTime timestamp, Object value) {
    }

    /** The rows of one path: at most one scalar (step null) and one per step. */
    static final class PathRows {
        Row scalar;
        final TreeMap<Integer, Row> series = new TreeMap<>();
        final Map<String, Integer> typeCounts = new LinkedHashMap<>();

        void add(Row row) {
            if (row.step() == null) {
                scalar = row;
            }
            else {
                series.put(row.step(), row);
            }
            typeCounts.merge(row.type(), 1, Integer::sum);
        }

        void remove(Row row) {
            if (row.step() == null) {
                scalar = null;
            }
            else {
                series.remove(row.step());
            }
            typeCounts.computeIfPresent(row.type(), (t, n) -> n == 1 ? null : n - 1);
        }

        int size() {
            return series.size() + (scalar == null ? 0 : 1);
        }

        /** The oldest row, whose type DuckDB's {@code DISTINCT ON} reports for the path. */
        Row first() {
            return rows().stream().min(Comparator.comparingLong(Row::id)).orElseThrow();
        }

        /** Rows ordered by step, the scalar last (DuckDB sorts NULLs last). */
        List<Row> rows() {
            List<Row> rows = new ArrayList<>(series.values());
            if (scalar != null) {
                rows.add(scalar);
            }
            return rows;
        }
    }

    /** A value about to be inserted. */
    private record Pending(String path, String type, BigInteger step, Object value, LocalDateTime timestamp) {
    }

    // ------------------------------------------------------------------ lifecycle

    /** Each start of the real server burns one value of every id sequence ({@code _sync_sequences}). */
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
            project = new Project(++projectSeq, projectName, projectName + "_" + md5Prefix(), now);
        }
        if (resumeFrom != null && !resumeFrom.isEmpty()) {
            Run existing = newProject ? null : runIn(project, resumeFrom);
            if (existing == null) {
                throw ApiError.internal(); // ValueError("Run ... not found"), unhandled by the route
            }
            if (config != null && !config.isEmpty()) {
                Map<String, JsonNode> flat = flatten(config);
                if (flat.keySet().stream().anyMatch(existing.config::containsKey)) {
                    throw ApiError.internal(); // ValueError("Config key(s) ... already exist"), unhandled
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
        Run run = new Run(id, project, abbreviation(projectName) + "-" + id, name, null, null, null, now);
        runs.put(id, run);
        if (config != null) {
            run.config.putAll(flatten(config));
        }
        return initResponse(id, run.runId, name);
    }

    private ObjectNode fork(String projectName, String name, String forkFrom) {
        LocalDateTime now = now();
        Project project = projectByName(projectName);
        Run source = null;
        if (project == null) {
            project = new Project(++projectSeq, projectName, projectName + "_" + md5Prefix(), now);
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
        Run run = new Run(id, project, abbreviation(projectName) + "-" + id, newName, source.groupName, source.tags,
                source.id, now);
        run.config.putAll(source.config);
        source.metrics.values().stream().flatMap(rows -> rows.rows().stream())
                .sorted(Comparator.comparingLong(Row::id))
                .forEach(row -> insert(run, new Row(++metricSeq, row.path(), row.type(), row.step(), row.timestamp(),
                        row.value())));
        runs.put(id, run);
        return initResponse(id, run.runId, newName);
    }

    private static ObjectNode initResponse(long id, String runId, String name) {
        return Json.object().put("id", id).put("run_id", runId).put("name", name);
    }

    synchronized ObjectNode getRun(long id) {
        return runJson(runOr404(id));
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
        return runJson(run);
    }

    synchronized ObjectNode deleteRun(long id) {
        runOr404(id);
        runs.remove(id);
        return Json.object().put("message", "Run deleted successfully");
    }

    synchronized ObjectNode summary(long id) {
        Run run = runOr404(id);
        ObjectNode json = runJson(run);
        json.putNull("tags"); // the route builds RunSummary without tags and fork_from
        json.putNull("fork_from");
        ObjectNode metrics = json.putObject("metrics");
        run.metrics.values().stream().map(rows -> rows.scalar).filter(java.util.Objects::nonNull)
                .sorted(Comparator.comparingLong(Row::id).reversed())
                .forEach(row -> metrics.set(row.path(), Json.value(row.value())));
        json.set("config", configJson(run));
        return json;
    }

    synchronized ObjectNode listRuns(BigInteger projectId, String group, String state, String search, String tags,
            BigInteger limit, BigInteger offset, String sortBy, boolean descending) {
        List<Run> selected = new ArrayList<>();
        List<Pattern> tagPatterns = new ArrayList<>();
        List<String> tagList = new ArrayList<>();
        if (tags != null && !tags.isEmpty()) {
            for (String tag : tags.split(",", -1)) {
                String t = tag.strip();
                tagList.add(t);
                tagPatterns.add(ilike(t + ",%"));
                tagPatterns.add(ilike("%," + t));
                tagPatterns.add(ilike("%," + t + ",%"));
            }
        }
        Pattern searchPattern = search == null || search.isEmpty() ? null : ilike("%" + search + "%");
        for (Run run : runs.values()) {
            if (projectId != null && projectId.signum() != 0 && !projectId.equals(BigInteger.valueOf(run.project.id))) {
                continue;
            }
            if (group != null && !group.isEmpty() && !group.equals(run.groupName)) {
                continue;
            }
            if (state != null && !state.isEmpty() && !state.equals(run.state)) {
                continue;
            }
            if (searchPattern != null && !(searchPattern.matcher(run.runId).matches()
                    || run.name != null && searchPattern.matcher(run.name).matches())) {
                continue;
            }
            if (!tagList.isEmpty() && !matchesTags(run.tags, tagList, tagPatterns)) {
                continue;
            }
            selected.add(run);
        }
        int total = selected.size();
        String column = RUN_COLUMNS.contains(sortBy) ? sortBy : "created_at";
        if (RUN_NON_COLUMNS.contains(sortBy) || sortBy.startsWith("_")) {
            throw ApiError.internal();
        }
        Comparator<Run> byId = Comparator.comparingLong(r -> r.id);
        Comparator<Run> order = Comparator.comparing((Run r) -> sortKey(r, column), nullsLast(descending))
                .thenComparing(descending ? byId.reversed() : byId);
        selected.sort(order);
        List<Run> page = page(selected, limit, offset);
        ObjectNode json = Json.object();
        ArrayNode list = json.putArray("runs");
        page.forEach(r -> list.add(runJson(r)));
        json.put("total", total);
        json.put("has_more", offset.add(limit).compareTo(BigInteger.valueOf(total)) < 0);
        return json;
    }

    private static boolean matchesTags(String runTags, List<String> tagList, List<Pattern> patterns) {
        if (runTags == null) {
            return false;
        }
        for (int i = 0; i < tagList.size(); i++) {
            boolean match = runTags.equals(tagList.get(i));
            for (int p = 3 * i; p < 3 * i + 3 && !match; p++) {
                match = patterns.get(p).matcher(runTags).matches();
            }
            if (!match) {
                return false;
            }
        }
        return true;
    }

    @SuppressWarnings({ "unchecked", "rawtypes" })
    private static Comparator<Comparable> nullsLast(boolean descending) {
        Comparator<Comparable> natural = Comparator.naturalOrder();
        return Comparator.nullsLast(descending ? natural.reversed() : natural);
    }

    @SuppressWarnings("rawtypes")
    private static Comparable sortKey(Run run, String column) {
        return switch (column) {
            case "id" -> run.id;
            case "project_id" -> run.project.id;
            case "run_id" -> codepoints(run.runId);
            case "name" -> codepoints(run.name);
            case "group_name" -> codepoints(run.groupName);
            case "tags" -> codepoints(run.tags);
            case "state" -> codepoints(run.state);
            case "updated_at", "last_activity_at" -> run.updatedAt;
            case "fork_from" -> run.forkFrom;
            default -> run.createdAt;
        };
    }

    /** DuckDB compares strings by bytes: code point order. */
    private static String codepoints(String s) {
        if (s == null) {
            return null;
        }
        StringBuilder out = new StringBuilder();
        s.codePoints().forEach(cp -> out.append(String.format("%06x", cp)));
        return out.toString();
    }

    private static <T> List<T> page(List<T> items, BigInteger limit, BigInteger offset) {
        if (limit.signum() < 0 || offset.signum() < 0 || limit.bitLength() > 63 || offset.bitLength() > 63) {
            throw ApiError.internal(); // DuckDB rejects negative or oversized LIMIT/OFFSET
        }
        long from = Math.min(offset.longValue(), items.size());
        long to = Math.min(from + Math.min(limit.longValue(), Integer.MAX_VALUE), items.size());
        return items.subList((int) from, (int) to);
    }

    // ------------------------------------------------------------------ projects

    synchronized ArrayNode listProjects(BigInteger limit, BigInteger offset) {
        List<Project> sorted = new ArrayList<>(projects.values());
        sorted.sort(Comparator.comparing((Project p) -> p.createdAt).thenComparingLong(p -> p.id).reversed());
        ArrayNode list = Json.array();
        page(sorted, limit, offset).forEach(p -> list.add(projectJson(p)));
        return list;
    }

    synchronized ObjectNode getProject(long id) {
        return projectJson(projectOr404(id));
    }

    synchronized ObjectNode createProject(String name, String projectId) {
        if (projects.values().stream().anyMatch(p -> p.name.equals(name) || p.projectId.equals(projectId))) {
            throw ApiError.detail(400, "Project with this name or ID already exists");
        }
        Project project = new Project(++projectSeq, name, projectId, now());
        projects.put(project.id, project);
        return Json.object().put("name", name).put("project_id", projectId).put("id", project.id)
                .put("created_at", TIME.format(project.createdAt)).put("updated_at", TIME.format(project.updatedAt));
    }

    synchronized ObjectNode deleteProject(long id) {
        Project project = projectOr404(id);
        projects.remove(id);
        runs.values().removeIf(r -> r.project == project);
        return Json.object().put("message", "Project deleted successfully");
    }

    synchronized ArrayNode projectTags(long id) {
        Project project = projectOr404(id);
        Set<String> tags = new java.util.TreeSet<>(Store::compareCodepoints);
        runs.values().stream().filter(r -> r.project == project && r.tags != null && !r.tags.isEmpty())
                .forEach(r -> java.util.Arrays.stream(r.tags.split(",", -1)).map(String::strip).forEach(tags::add));
        ArrayNode list = Json.array();
        tags.forEach(list::add);
        return list;
    }

    synchronized ArrayNode availableColumns(long id) {
        Project project = projectOr404(id);
        Set<String> paths = new java.util.TreeSet<>(Store::compareCodepoints);
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
        ObjectNode json = Json.object().put("name", p.name).put("project_id", p.projectId).put("id", p.id)
                .put("created_at", TIME.format(p.createdAt)).put("updated_at", TIME.format(p.updatedAt));
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
        return json.put("total_runs", total).put("running_runs", running).put("completed_runs", completed)
                .put("failed_runs", failed);
    }

    // ------------------------------------------------------------------ metrics

    /** {@code POST /api/runs/{id}/log}. */
    synchronized ObjectNode log(long runId, ObjectNode metrics, BigInteger step, LocalDateTime timestamp) {
        Run run = runOr404(runId);
        Map<String, JsonNode> flat = flatten(metrics);
        List<String> nonScalar = nonScalarKeys(flat);
        if (!nonScalar.isEmpty()) {
            ObjectNode detail = Json.object().put("message", "Metric values must be scalars (str, bool, int, float)");
            ArrayNode keys = detail.putArray("invalid_keys");
            nonScalar.forEach(keys::add);
            throw new ApiError(422, Json.object().set("detail", detail));
        }
        LocalDateTime now = now();
        List<Pending> pending = new ArrayList<>();
        List<String> conflicts = check(run, flat, step, timestamp == null ? now : timestamp, pending);
        if (!conflicts.isEmpty()) {
            throw ApiError.conflict("Metric logging conflict(s)", conflicts);
        }
        commit(run, pending, now);
        return success();
    }

    /** One entry of {@code POST /api/runs/{id}/log/batch}. */
    record BatchEntry(ObjectNode metrics, BigInteger step) {
    }

    synchronized ObjectNode logBatch(long runId, List<BatchEntry> entries) {
        Run run = runOr404(runId);
        LocalDateTime now = now();
        List<String> conflicts = new ArrayList<>();
        List<Pending> pending = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            BatchEntry entry = entries.get(i);
            Map<String, JsonNode> flat = flatten(entry.metrics());
            List<String> nonScalar = nonScalarKeys(flat);
            String prefix = "Entry " + i + ": ";
            if (!nonScalar.isEmpty()) {
                conflicts.add(prefix + "Non-scalar values for keys: " + Json.pyListRepr(nonScalar));
                continue;
            }
            // checked against committed rows only: the session does not autoflush
            check(run, flat, entry.step(), now, pending).forEach(c -> conflicts.add(prefix + c));
        }
        if (!conflicts.isEmpty()) {
            throw ApiError.conflict("Batch metric logging conflict(s)", conflicts);
        }
        commit(run, pending, now);
        return success();
    }

    private static List<String> nonScalarKeys(Map<String, JsonNode> flat) {
        List<String> keys = new ArrayList<>();
        flat.forEach((k, v) -> {
            if (!(v.isBoolean() || v.isNumber() || v.isTextual())) {
                keys.add(k);
            }
        });
        return keys;
    }

    /** Conflicts of one write against committed rows; values without conflict go to {@code pending}. */
    private List<String> check(Run run, Map<String, JsonNode> flat, BigInteger step, LocalDateTime timestamp,
            List<Pending> pending) {
        boolean series = step != null;
        String suffix = series ? SERIES : "";
        List<String> conflicts = new ArrayList<>();
        flat.forEach((path, node) -> {
            String type = baseType(node) + suffix;
            String conflict = conflict(run.metrics.get(path), path, type, step);
            if (conflict != null) {
                conflicts.add(conflict);
            }
            else {
                pending.add(new Pending(path, type, step, value(node), timestamp));
            }
        });
        return conflicts;
    }

    private static String conflict(PathRows rows, String path, String type, BigInteger step) {
        if (rows != null && !rows.typeCounts.isEmpty()) {
            Set<String> existing = rows.typeCounts.keySet();
            Set<String> baseExisting = new HashSet<>();
            existing.forEach(t -> baseExisting.add(t.replace(SERIES, "")));
            if (!baseExisting.contains(type.replace(SERIES, ""))) {
                return "Type conflict for '" + path + "': cannot log " + type + ", existing types are "
                        + Json.pySetRepr(existing);
            }
            boolean hasScalar = existing.stream().anyMatch(t -> !t.contains(SERIES));
            boolean hasSeries = existing.stream().anyMatch(t -> t.contains(SERIES));
            if (step != null && hasScalar) {
                return "Metric '" + path + "' already has scalar (summary) values \u2014 cannot log series at step "
                        + step + " (use remove() first)";
            }
            if (step == null && hasSeries) {
                return "Metric '" + path + "' already has series (stepped) values \u2014 cannot log scalar "
                        + "(use remove() first)";
            }
        }
        if (rows != null && find(rows, step) != null) {
            return "Metric '" + path + "' already exists at " + (step != null ? "step " + step : "summary")
                    + " (use remove() first to overwrite)";
        }
        return null;
    }

    private static Row find(PathRows rows, BigInteger step) {
        if (step == null) {
            return rows.scalar;
        }
        return fitsInt(step) ? rows.series.get(step.intValue()) : null;
    }

    /**
     * The commit: DuckDB's 32-bit INTEGER columns reject a step or an int value out of range, and
     * the unique index on (run, path, COALESCE(step, -999999999)) rejects duplicates within the
     * transaction. Either fails the whole request with a 500.
     */
    private void commit(Run run, List<Pending> pending, LocalDateTime now) {
        Set<String> keys = new HashSet<>();
        for (Pending p : pending) {
            if (p.step() != null && !fitsInt(p.step())) {
                throw ApiError.internal();
            }
            if (p.value() instanceof BigInteger big && !fitsInt(big)) {
                throw ApiError.internal();
            }
            int stepKey = p.step() == null ? NULL_STEP_KEY : p.step().intValue();
            if (!keys.add(p.path() + '\u0000' + stepKey)) {
                throw ApiError.internal();
            }
        }
        for (Pending p : pending) {
            Object value = p.value() instanceof BigInteger big ? (Object) big.longValue() : p.value();
            insert(run, new Row(++metricSeq, p.path(), p.type(), p.step() == null ? null : p.step().intValue(),
                    p.timestamp(), value));
        }
        run.updatedAt = now;
    }

    private static void insert(Run run, Row row) {
        run.metrics.computeIfAbsent(row.path(), p -> new PathRows()).add(row);
    }

    private static String baseType(JsonNode node) {
        if (node.isBoolean()) {
            return "bool";
        }
        if (node.isIntegralNumber()) {
            return "int";
        }
        if (node.isNumber()) {
            return "float";
        }
        return "string";
    }

    private static Object value(JsonNode node) {
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        if (node.isIntegralNumber()) {
            return node.bigIntegerValue();
        }
        if (node.isNumber()) {
            return node.doubleValue();
        }
        return node.asText();
    }

    private static boolean fitsInt(BigInteger value) {
        return value.compareTo(INT_MIN) >= 0 && value.compareTo(INT_MAX) <= 0;
    }

    synchronized ObjectNode getMetric(long runId, String path, BigInteger step) {
        Run run = runOr404(runId);
        PathRows rows = run.metrics.get(path);
        Row row = null;
        if (rows != null) {
            if (step != null) {
                row = find(rows, step);
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
                Row row = find(rows, step);
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
        return Json.object().put("message", "Removed " + doomed.size() + " metric row(s) for '" + path + "'")
                .put("count", doomed.size());
    }

    /** {@code POST /api/metrics/summary}: the latest value (highest step, else the scalar) per run and path. */
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
                Row row = rows == null ? null : rows.series.isEmpty() ? rows.scalar : rows.series.lastEntry().getValue();
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
        run.metrics.entrySet().stream().sorted(Map.Entry.comparingByKey(Store::compareCodepoints))
                .forEach(e -> list.add(Json.object().put("path", e.getKey())
                        .put("attribute_type", e.getValue().first().type())));
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
        List<Row> page = page(selected, limit, offset);
        ObjectNode json = Json.object();
        ArrayNode data = json.putArray("data");
        String attributeType = null;
        for (Row row : page) {
            attributeType = row.type();
            ObjectNode value = data.addObject().put("step", row.step())
                    .put("timestamp", TIME.format(row.timestamp()));
            value.set("value", Json.value(row.value()));
            value.put("attribute_type", row.type());
        }
        json.put("has_more", offset.add(limit).compareTo(BigInteger.valueOf(selected.size())) < 0);
        json.put("attribute_type", attributeType);
        return json;
    }

    // ------------------------------------------------------------------ config

    synchronized ObjectNode logConfig(long runId, ObjectNode config) {
        Run run = runOr404(runId);
        Map<String, JsonNode> flat = flatten(config);
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
        return configJson(runOr404(runId));
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

    // ------------------------------------------------------------------ assertion helpers

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
        Set<String> paths = new java.util.TreeSet<>(Store::compareCodepoints);
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
        return runs.values().stream().filter(r -> r.project == project && r.runId.equals(runId)).findFirst()
                .orElse(null);
    }

    private static ObjectNode runJson(Run run) {
        return Json.object().put("run_id", run.runId).put("name", run.name).put("group_name", run.groupName)
                .put("tags", run.tags).put("state", run.state).put("id", run.id).put("project_id", run.project.id)
                .put("fork_from", run.forkFrom).put("created_at", TIME.format(run.createdAt))
                .put("updated_at", TIME.format(run.updatedAt));
    }

    private static ObjectNode success() {
        return Json.object().put("success", true);
    }

    private LocalDateTime now() {
        return LocalDateTime.now(clock).truncatedTo(ChronoUnit.MICROS);
    }

    /** {@code _flatten_config}: nested objects joined with '/', the last duplicate key winning. */
    static Map<String, JsonNode> flatten(ObjectNode node) {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        flatten(node, "", out);
        return out;
    }

    private static void flatten(JsonNode node, String prefix, Map<String, JsonNode> out) {
        node.fields().forEachRemaining(e -> {
            String key = prefix.isEmpty() ? e.getKey() : prefix + e.getKey();
            if (e.getValue().isObject()) {
                flatten(e.getValue(), key + "/", out);
            }
            else {
                out.put(key, e.getValue());
            }
        });
    }

    /** {@code generate_abbreviation}: three upper-case letters from the project name. */
    static String abbreviation(String projectName) {
        String clean = projectName.replaceAll("(?U)[^a-zA-Z0-9\\s-]", "");
        List<String> words = new ArrayList<>();
        for (String w : clean.split("(?U)[-_\\s]+")) {
            if (!w.isEmpty()) {
                words.add(w);
            }
        }
        String abbrev;
        if (words.isEmpty()) {
            abbrev = "RUN";
        }
        else if (words.size() >= 3) {
            abbrev = "" + words.get(0).charAt(0) + words.get(1).charAt(0) + words.get(2).charAt(0);
        }
        else if (words.size() == 1) {
            abbrev = words.get(0).substring(0, Math.min(3, words.get(0).length()));
        }
        else {
            String first = words.get(0);
            abbrev = "" + first.charAt(0) + words.get(1).charAt(0) + (first.length() > 1 ? first.charAt(1) : 'X');
        }
        abbrev = abbrev.toUpperCase(Locale.ROOT);
        return (abbrev + "XXX").substring(0, 3);
    }

    private static String md5Prefix() {
        try {
            byte[] digest = MessageDigest.getInstance("MD5")
                    .digest(Double.toString(System.currentTimeMillis() / 1000.0 + System.nanoTime() % 1000 / 1e9)
                            .getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest).substring(0, 16);
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** SQL ILIKE: '%' any run, '_' any one character, case-insensitive. */
    private static Pattern ilike(String pattern) {
        StringBuilder regex = new StringBuilder();
        StringBuilder literal = new StringBuilder();
        for (char c : pattern.toCharArray()) {
            if (c == '%' || c == '_') {
                if (literal.length() > 0) {
                    regex.append(Pattern.quote(literal.toString()));
                    literal.setLength(0);
                }
                regex.append(c == '%' ? ".*" : ".");
            }
            else {
                literal.append(c);
            }
        }
        if (literal.length() > 0) {
            regex.append(Pattern.quote(literal.toString()));
        }
        return Pattern.compile(regex.toString(), Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE | Pattern.DOTALL);
    }

    static int compareCodepoints(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }
}
