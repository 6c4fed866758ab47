package io.dalva.test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.math.BigInteger;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Dalva's HTTP API: routes matched the way Starlette matches them (first full match wins;
 * a path match with another method is a 405; otherwise the trailing slash is toggled and
 * a match answers 307; otherwise 404), parameters validated the way FastAPI validates
 * them, and the endpoints of {@code api/routes/*.py} on top of the {@link Store}.
 */
final class Api {

    private static final Pattern PARAM = Pattern.compile("\\{(\\w+)(:path)?}");

    private static final BigInteger HUNDRED = BigInteger.valueOf(100);

    private static final BigInteger THOUSAND = BigInteger.valueOf(1000);

    private static final String STATE_PATTERN = "^(running|completed|failed)$";

    private interface Endpoint {

        JsonNode handle(Request request, Matcher params, Validation validation);

    }

    private record Route(String method, Pattern pattern, Endpoint endpoint, boolean runWrite) {
    }

    private final Store store;

    private final Faults faults;

    private final List<Route> routes = new ArrayList<>();

    private final Set<Long> writing = ConcurrentHashMap.newKeySet();

    private volatile boolean servingWebUi;

    Api(Store store, Faults faults) {
        this.store = store;
        this.faults = faults;
        get("/api/health", (r, p, v) -> Json.object().put("status", "healthy"));

        get("/api/projects/", this::listProjects);
        get("/api/projects/{project_id}", (r, p, v) -> store.getProject(projectId(p, v)));
        get("/api/projects/{project_id}/tags", (r, p, v) -> store.projectTags(projectId(p, v)));
        get("/api/projects/{project_id}/available-columns", (r, p, v) -> store.availableColumns(projectId(p, v)));
        post("/api/projects/", this::createProject, false);
        add("DELETE", "/api/projects/{project_id}", (r, p, v) -> store.deleteProject(projectId(p, v)), false);

        get("/api/runs/", this::listRuns);
        get("/api/runs/{run_id}", (r, p, v) -> store.getRun(runId(p, v)));
        get("/api/runs/{run_id}/summary", (r, p, v) -> store.summary(runId(p, v)));
        post("/api/runs/init", this::initRun, false);
        add("PATCH", "/api/runs/{run_id}/state", this::setState, true);
        post("/api/runs/{run_id}/finish", (r, p, v) -> store.finish(runId(p, v)), true);
        get("/api/runs/{run_id}/tables", (r, p, v) -> store.runTables(runId(p, v)));
        add("DELETE", "/api/runs/{run_id}", (r, p, v) -> store.deleteRun(runId(p, v)), true);

        post("/api/runs/{run_id}/log", this::log, true);
        post("/api/runs/{run_id}/log/batch", this::logBatch, true);
        get("/api/runs/{run_id}/metrics/{attribute_path:path}", (r, p, v) -> {
            long run = pathRunId(p, v);
            BigInteger step = v.queryInt(r, "step", null);
            v.check();
            return store.getMetric(run, param(p, "attribute_path"), step);
        });
        add("DELETE", "/api/runs/{run_id}/metrics/{attribute_path:path}", (r, p, v) -> {
            long run = pathRunId(p, v);
            BigInteger step = v.queryInt(r, "step", null);
            v.check();
            return store.deleteMetric(run, param(p, "attribute_path"), step);
        }, true);

        get("/api/runs/{run_id}/config", (r, p, v) -> store.getConfig(runId(p, v)));
        get("/api/runs/{run_id}/config/{key:path}", (r, p, v) -> store.getConfigValue(runId(p, v), param(p, "key")));
        add("DELETE", "/api/runs/{run_id}/config/{key:path}",
                (r, p, v) -> store.deleteConfig(runId(p, v), param(p, "key")), true);
        post("/api/runs/{run_id}/config", this::logConfig, true);

        post("/api/metrics/summary", this::summaryMetrics, false);
        get("/api/metrics/runs/{run_id}", (r, p, v) -> store.listMetrics(runId(p, v)));
        get("/api/metrics/runs/{run_id}/metric/{metric_path:path}", this::metricValues);
    }

    // ------------------------------------------------------------------ routing

    private void get(String path, Endpoint endpoint) {
        add("GET", path, endpoint, false);
    }

    private void post(String path, Endpoint endpoint, boolean runWrite) {
        add("POST", path, endpoint, runWrite);
    }

    private void add(String method, String template, Endpoint endpoint, boolean runWrite) {
        StringBuilder regex = new StringBuilder("^");
        Matcher m = PARAM.matcher(template);
        int last = 0;
        while (m.find()) {
            regex.append(Pattern.quote(template.substring(last, m.start())));
            regex.append("(?<")
                .append(m.group(1).replace("_", ""))
                .append(">")
                .append(m.group(2) != null ? ".*" : "[^/]+")
                .append(")");
            last = m.end();
        }
        regex.append(Pattern.quote(template.substring(last))).append("$");
        routes.add(new Route(method, Pattern.compile(regex.toString(), Pattern.DOTALL), endpoint, runWrite));
    }

    Response dispatch(Request request) {
        String method = request.method(); // FastAPI's API routes do not add HEAD to GET
        Route partial = null;
        for (Route route : routes) {
            Matcher params = route.pattern.matcher(request.path());
            if (!params.matches()) {
                continue;
            }
            if (route.method.equals(method)) {
                return call(route, request, params);
            }
            if (partial == null) {
                partial = route;
            }
        }
        if (servingWebUi) {
            if (method.equals("GET")) {
                return webUi(request.path());
            }
            if (partial == null) {
                return new Response(405, Json.detail("Method Not Allowed"), Map.of("Allow", "GET"));
            }
        }
        if (partial != null) {
            String allow = String.join(", ",
                    routes.stream()
                        .filter(r -> r.pattern.matcher(request.path()).matches())
                        .map(Route::method)
                        .distinct()
                        .toList());
            return new Response(405, Json.detail("Method Not Allowed"), Map.of("Allow", allow));
        }
        String path = request.path();
        if (!path.equals("/")) {
            String other = path.endsWith("/") ? path.substring(0, path.length() - 1) : path + "/";
            if (routes.stream().anyMatch(r -> r.pattern.matcher(other).matches())) {
                String host = request.header("Host");
                String query = request.rawQuery() == null || request.rawQuery().isEmpty() ? ""
                        : "?" + request.rawQuery();
                return new Response(307, null, Map.of("location", "http://" + host + other + query));
            }
        }
        return new Response(404, Json.detail("Not Found"), Map.of());
    }

    /**
     * The web UI's catch-all route: API paths get its 404, anything else the single-page
     * app.
     */
    private static Response webUi(String path) {
        if (path.substring(1).startsWith("api")) {
            return new Response(404, Json.detail("Not found"), Map.of());
        }
        return new Response(200, Json.NODES.textNode("<!doctype html><title>Dalva</title><div id=\"root\"></div>"),
                Map.of("Content-Type", "text/html; charset=utf-8"));
    }

    void servingWebUi(boolean serving) {
        this.servingWebUi = serving;
    }

    private Response call(Route route, Request request, Matcher params) {
        Long busyRun = null;
        try {
            if (route.runWrite) {
                busyRun = writeLock(params);
            }
            if (busyRun != null && !faults.perValue().isZero()) {
                // like the real server's transaction: the values become visible at the
                // end
                sleep(faults.perValue().multipliedBy(Json.writtenValues(request.body())));
            }
            JsonNode body = route.endpoint.handle(request, params, new Validation());
            return Response.ok(body);
        }
        catch (ApiError error) {
            return Response.of(error);
        }
        finally {
            if (busyRun != null) {
                writing.remove(busyRun);
            }
        }
    }

    /**
     * Parallel writes to one run fail on the real server (DuckDB write-write conflicts on
     * the run row): a write that arrives while another write to the same run is being
     * handled gets a 500.
     */
    private Long writeLock(Matcher params) {
        String raw = param(params, "run_id");
        Long id;
        try {
            id = Long.parseLong(raw.strip());
        }
        catch (NumberFormatException e) {
            return null; // the endpoint answers 422
        }
        if (!store.runExists(id)) {
            return null;
        }
        if (!writing.add(id)) {
            throw ApiError.internal();
        }
        sleep(faults.writeHold());
        return id;
    }

    private static void sleep(Duration duration) {
        if (duration.isZero()) {
            return;
        }
        try {
            Thread.sleep(duration.toMillis(), duration.toNanosPart() % 1_000_000);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ------------------------------------------------------------------ parameters

    private static String param(Matcher params, String name) {
        return params.group(name.replace("_", ""));
    }

    private static BigInteger pathInt(Matcher params, String name, Validation validation) {
        return validation.parseInt(param(params, name), List.of("path", name));
    }

    private static long pathRunId(Matcher params, Validation validation) {
        return longOr(pathInt(params, "run_id", validation), -1);
    }

    /** The run id of a route whose only parameter is the path's run id. */
    private static long runId(Matcher params, Validation validation) {
        long id = pathRunId(params, validation);
        validation.check();
        return id;
    }

    private static long projectId(Matcher params, Validation validation) {
        long id = longOr(pathInt(params, "project_id", validation), -1);
        validation.check();
        return id;
    }

    private static long longOr(BigInteger value, long fallback) {
        return value == null || value.bitLength() > 63 ? fallback : value.longValue();
    }

    // ------------------------------------------------------------------ endpoints

    private JsonNode listProjects(Request r, Matcher p, Validation v) {
        BigInteger limit = v.queryInt(r, "limit", HUNDRED);
        BigInteger offset = v.queryInt(r, "offset", BigInteger.ZERO);
        v.check();
        return store.listProjects(limit, offset);
    }

    private JsonNode listRuns(Request r, Matcher p, Validation v) {
        BigInteger projectId = v.queryInt(r, "project_id", null);
        BigInteger limit = v.queryInt(r, "limit", HUNDRED);
        BigInteger offset = v.queryInt(r, "offset", BigInteger.ZERO);
        String sortBy = r.query("sort_by") == null ? "created_at" : r.query("sort_by");
        String sortOrder = r.query("sort_order") == null ? "desc" : r.query("sort_order");
        if (!sortOrder.equals("asc") && !sortOrder.equals("desc")) {
            v.error("literal_error", List.of("query", "sort_order"), "Input should be 'asc' or 'desc'",
                    Json.NODES.textNode(sortOrder), Json.object().put("expected", "'asc' or 'desc'"));
        }
        v.check();
        return store.listRuns(new RunQuery(projectId, r.query("group"), r.query("state"), r.query("search"),
                r.query("tags"), sortBy, sortOrder.equals("desc")), limit, offset);
    }

    private JsonNode initRun(Request r, Matcher p, Validation v) {
        ObjectNode body = v.bodyObject(r);
        String project = v.string(body, "project", true, List.of("body", "project"));
        String name = v.string(body, "name", false, List.of("body", "name"));
        ObjectNode config = v.mapping(body, "config", false, List.of("body", "config"));
        String resumeFrom = v.string(body, "resume_from", false, List.of("body", "resume_from"));
        String forkFrom = v.string(body, "fork_from", false, List.of("body", "fork_from"));
        v.boolOrIntList(body, "copy_tables_on_fork", List.of("body", "copy_tables_on_fork"));
        v.check();
        return store.initRun(project, name, config, resumeFrom, forkFrom);
    }

    private JsonNode setState(Request r, Matcher p, Validation v) {
        long run = pathRunId(p, v);
        String state = r.query("state");
        if (state == null) {
            v.error("missing", List.of("query", "state"), "Field required", null, null);
        }
        else if (!state.matches(STATE_PATTERN)) {
            v.error("string_pattern_mismatch", List.of("query", "state"),
                    "String should match pattern '" + STATE_PATTERN + "'", Json.NODES.textNode(state),
                    Json.object().put("pattern", STATE_PATTERN));
        }
        v.check();
        return store.setState(run, state);
    }

    private JsonNode log(Request r, Matcher p, Validation v) {
        long run = pathRunId(p, v);
        ObjectNode body = v.bodyObject(r);
        ObjectNode metrics = v.mapping(body, "metrics", true, List.of("body", "metrics"));
        BigInteger step = v.optionalInt(body, "step", List.of("body", "step"));
        LocalDateTime timestamp = v.optionalDateTime(body, "timestamp", List.of("body", "timestamp"));
        v.check();
        return store.log(run, metrics, step, timestamp);
    }

    private JsonNode logBatch(Request r, Matcher p, Validation v) {
        long run = pathRunId(p, v);
        ObjectNode body = v.bodyObject(r);
        ArrayNode entries = v.list(body, "entries", List.of("body", "entries"));
        List<Store.BatchEntry> parsed = new ArrayList<>();
        if (entries != null) {
            for (int i = 0; i < entries.size(); i++) {
                List<Object> loc = List.of("body", "entries", i);
                ObjectNode entry = v.nestedObject(entries.get(i), loc);
                if (entry == null) {
                    continue;
                }
                ObjectNode metrics = v.mapping(entry, "metrics", true, Validation.append(loc, "metrics"));
                BigInteger step = v.optionalInt(entry, "step", Validation.append(loc, "step"));
                parsed.add(new Store.BatchEntry(metrics, step));
            }
        }
        v.check();
        return store.logBatch(run, parsed);
    }

    private JsonNode logConfig(Request r, Matcher p, Validation v) {
        long run = pathRunId(p, v);
        ObjectNode body = v.bodyObject(r);
        ObjectNode config = v.mapping(body, "config", true, List.of("body", "config"));
        v.check();
        return store.logConfig(run, config);
    }

    private JsonNode createProject(Request r, Matcher p, Validation v) {
        ObjectNode body = v.bodyObject(r);
        String name = v.string(body, "name", true, List.of("body", "name"));
        String projectId = v.string(body, "project_id", true, List.of("body", "project_id"));
        v.check();
        return store.createProject(name, projectId);
    }

    private JsonNode summaryMetrics(Request r, Matcher p, Validation v) {
        ObjectNode body = v.bodyObject(r);
        List<BigInteger> runIds = new ArrayList<>();
        List<String> paths = new ArrayList<>();
        ArrayNode ids = v.list(body, "run_ids", List.of("body", "run_ids"));
        ArrayNode metricPaths = v.list(body, "metric_paths", List.of("body", "metric_paths"));
        if (ids != null) {
            for (int i = 0; i < ids.size(); i++) {
                runIds.add(v.integer(ids.get(i), List.of("body", "run_ids", i)));
            }
        }
        if (metricPaths != null) {
            for (int i = 0; i < metricPaths.size(); i++) {
                JsonNode path = metricPaths.get(i);
                if (path.isTextual()) {
                    paths.add(path.textValue());
                }
                else {
                    v.error("string_type", List.of("body", "metric_paths", i), "Input should be a valid string", path,
                            null);
                }
            }
        }
        v.check();
        return store.summaryMetrics(runIds, paths);
    }

    private JsonNode metricValues(Request r, Matcher p, Validation v) {
        long run = pathRunId(p, v);
        BigInteger limit = v.queryInt(r, "limit", THOUSAND);
        BigInteger offset = v.queryInt(r, "offset", BigInteger.ZERO);
        BigInteger stepMin = v.queryInt(r, "step_min", null);
        BigInteger stepMax = v.queryInt(r, "step_max", null);
        v.check();
        return store.metricValues(run, param(p, "metric_path"), limit, offset, stepMin, stepMax);
    }

}
