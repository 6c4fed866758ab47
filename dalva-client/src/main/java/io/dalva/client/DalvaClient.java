package io.dalva.client;

import io.dalva.client.internal.Defaults;
import io.dalva.client.internal.Values;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import okhttp3.Headers;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * A typed client for the Dalva server's HTTP API: one method per endpoint, each one
 * synchronous request. Thread-safe; create one per server and {@link #close()} it when
 * done.
 *
 * <pre>{@code
 * try (DalvaClient client = DalvaClient.builder().serverUrl("http://dalva:8000").build()) {
 *     RunHandle run = client.initRun(RunInit.builder("demo").name("baseline").build());
 *     client.log(run.id(), Map.of("loss", 0.25), 1);
 *     client.finish(run.id());
 * }
 * }</pre>
 *
 * <p>
 * Defaults: server URL from the builder, else the {@code DALVA_SERVER_URL} environment
 * variable, else {@code http://localhost:8000}; connect timeout 5 s, read and write
 * timeouts 30 s, whole-call timeout 60 s (Dalva takes about 4 ms per metric value, so a
 * 1,000-value request takes about 5 s). Requests are never retried silently (OkHttp's
 * {@code retryOnConnectionFailure} is off): a write whose connection dropped may have
 * been stored, so the caller decides.
 *
 * <p>
 * Failures are {@link DalvaException}s: {@link DalvaUnreachableException} (no answer),
 * {@link DalvaNotFoundException} (404), {@link DalvaConflictException} (409, with the
 * server's conflict list), {@link DalvaInvalidRequestException} (422, with its details),
 * {@link DalvaServerException} (5xx and anything unexpected). Values that Dalva cannot
 * store (null, NaN, infinities, integers beyond 32 bits, other types, negative steps) are
 * rejected with an {@link IllegalArgumentException} naming the key before anything is
 * sent.
 */
public final class DalvaClient implements AutoCloseable {

    /**
     * Environment variable read when no server URL is given (as Dalva's Python SDK does):
     * {@code DALVA_SERVER_URL}.
     */
    public static final String SERVER_URL_ENV = Defaults.SERVER_URL_ENV;

    /**
     * Server URL when neither the builder nor the environment gives one:
     * {@code http://localhost:8000}.
     */
    public static final String DEFAULT_SERVER_URL = Defaults.SERVER_URL;

    private static final MediaType JSON = MediaType.get("application/json; charset=utf-8");

    private static final byte[] NO_BODY = new byte[0];

    private final HttpUrl baseUrl;

    private final OkHttpClient http;

    private final boolean ownsHttp;

    private final Map<String, String> headers;

    private final ObjectMapper mapper = new ObjectMapper();

    private final JsonBodies bodies = new JsonBodies(mapper.getFactory());

    private final ErrorResponses errors = new ErrorResponses(mapper);

    private volatile boolean closed;

    /** The last client derived for a longer request, with its extra seconds. */
    private volatile SlowCalls slowCalls;

    private record SlowCalls(long extraSeconds, OkHttpClient http) {
    }

    private DalvaClient(Builder builder) {
        this.baseUrl = parseServerUrl(resolveServerUrl(builder.serverUrl, System::getenv));
        this.headers = Map.copyOf(builder.headers);
        this.ownsHttp = builder.okHttpClient == null;
        OkHttpClient.Builder http = ownsHttp ? new OkHttpClient.Builder() : builder.okHttpClient.newBuilder();
        // OkHttp would silently resend a POST whose connection dropped, although the
        // server may have
        // stored it: the resend then fails with a 409. Failures are reported; retrying is
        // the caller's.
        http.retryOnConnectionFailure(false);
        if (ownsHttp) {
            http.socketFactory(new NoDelaySocketFactory());
        }
        if (ownsHttp || builder.connectTimeout != null) {
            http.connectTimeout(millis(builder.connectTimeout, Defaults.CONNECT_TIMEOUT), TimeUnit.MILLISECONDS);
        }
        if (ownsHttp || builder.readTimeout != null) {
            long read = millis(builder.readTimeout, Defaults.READ_TIMEOUT);
            http.readTimeout(read, TimeUnit.MILLISECONDS).writeTimeout(read, TimeUnit.MILLISECONDS);
        }
        if (ownsHttp || builder.callTimeout != null) {
            http.callTimeout(millis(builder.callTimeout, Defaults.CALL_TIMEOUT), TimeUnit.MILLISECONDS);
        }
        this.http = http.build();
    }

    /**
     * A client with every default (server URL from {@code DALVA_SERVER_URL}, else
     * localhost:8000).
     */
    public static DalvaClient create() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * The server's base URL, without a trailing slash, e.g.
     * {@code http://localhost:8000}.
     */
    public String serverUrl() {
        String url = baseUrl.toString();
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    /**
     * Checks that a Dalva server answers {@code GET /api/health} with {@code healthy}.
     */
    public void health() {
        get(url("api/health"), node -> {
            String status = node.path("status").asText("");
            if (!"healthy".equals(status)) {
                throw new IllegalStateException("status is '" + status + "', not 'healthy'");
            }
            return null;
        });
    }

    /**
     * Creates, resumes ({@link RunInit#resumeFrom()}) or forks
     * ({@link RunInit#forkFrom()}) a run.
     */
    public RunHandle initRun(RunInit init) {
        Objects.requireNonNull(init, "init");
        return post(url("api/runs/init"), bodies.initRun(init), JsonResponses::runHandle);
    }

    /**
     * Logs metrics at a step, or scalar metrics when {@code step} is {@code null}. Nested
     * maps are flattened with {@code /}. Dalva never overwrites: a path that already has
     * a value at that step is a {@link DalvaConflictException}.
     */
    public void log(long runDbId, Map<String, ?> metrics, Integer step) {
        Map<String, Object> flat = Values.flattenMetrics(metrics);
        Values.checkStep(step);
        post(url(run(runDbId) + "/log"), bodies.log(flat, step), node -> null);
    }

    /** Logs several entries in one request; the server stores all or none of them. */
    public void logBatch(long runDbId, List<LogEntry> entries) {
        Objects.requireNonNull(entries, "entries");
        post(url(run(runDbId) + "/log/batch"), bodies.logBatch(List.copyOf(entries)), node -> null);
    }

    /**
     * Sends a {@code /log/batch} body already encoded
     * ({@code {"entries":[{"metrics":{…},"step":N},…]}}, UTF-8, not checked here) that
     * the server is expected to store in {@code expected}: the request's read and call
     * timeouts are the client's own plus three times {@code expected}, so that a big
     * batch on a slow server is not given up while the server is still writing it.
     */
    public void logBatch(long runDbId, byte[] body, int length, Duration expected) {
        Objects.requireNonNull(body, "body");
        long extraSeconds = (long) Math.ceil(Objects.requireNonNull(expected, "expected").toMillis() * 3 / 1000.0);
        call("POST", url(run(runDbId) + "/log/batch"), RequestBody.create(body, JSON, 0, length), node -> null,
                slowClient(extraSeconds));
    }

    private OkHttpClient slowClient(long extraSeconds) {
        if (extraSeconds <= 0) {
            return http;
        }
        SlowCalls cached = slowCalls;
        if (cached == null || cached.extraSeconds() != extraSeconds) {
            long extra = TimeUnit.SECONDS.toMillis(extraSeconds);
            OkHttpClient.Builder builder = http.newBuilder()
                .readTimeout(http.readTimeoutMillis() + extra, TimeUnit.MILLISECONDS);
            if (http.callTimeoutMillis() > 0) {
                builder.callTimeout(http.callTimeoutMillis() + extra, TimeUnit.MILLISECONDS);
            }
            cached = new SlowCalls(extraSeconds, builder.build());
            slowCalls = cached;
        }
        return cached.http();
    }

    /** Marks the run completed. Idempotent. */
    public void finish(long runDbId) {
        post(url(run(runDbId) + "/finish"), NO_BODY, node -> null);
    }

    /**
     * Sets the run's state, e.g. {@link RunState#FAILED}, and returns the updated run.
     */
    public RunInfo setState(long runDbId, RunState state) {
        Objects.requireNonNull(state, "state");
        HttpUrl url = url(run(runDbId) + "/state", b -> b.addQueryParameter("state", state.apiValue()));
        return call("PATCH", url, NO_BODY, JsonResponses::runInfo);
    }

    /**
     * Adds config keys (nested maps flattened with {@code /}); all or nothing, 409 if any
     * key exists.
     */
    public void logConfig(long runDbId, Map<String, ?> config) {
        Map<String, Object> flat = Values.flattenConfig(config);
        post(url(run(runDbId) + "/config"), bodies.config(flat), node -> null);
    }

    /** The run's config, flat ({@code a/b} for nested keys). */
    public Map<String, Object> getConfig(long runDbId) {
        return get(url(run(runDbId) + "/config"), JsonResponses::map);
    }

    /** One config value; {@link DalvaNotFoundException} when the key does not exist. */
    public Object getConfigValue(long runDbId, String key) {
        return get(url(run(runDbId) + "/config", key), node -> JsonResponses.value(node.get("value")));
    }

    /** Removes a config key; {@link DalvaNotFoundException} when it does not exist. */
    public void deleteConfig(long runDbId, String key) {
        call("DELETE", url(run(runDbId) + "/config", key), null, node -> null);
    }

    /**
     * A metric's value at {@code step}, or with {@code step} {@code null} its value at
     * the highest step (or its scalar). {@link DalvaNotFoundException} when there is
     * none.
     */
    public MetricValue getMetric(long runDbId, String path, Integer step) {
        return get(metricUrl(runDbId, path, step), JsonResponses::metricValue);
    }

    /**
     * Removes a metric's value at {@code step}, or every value when {@code step} is
     * {@code null}; returns the count.
     */
    public int deleteMetric(long runDbId, String path, Integer step) {
        return call("DELETE", metricUrl(runDbId, path, step), null, node -> node.path("count").asInt());
    }

    /** The run; {@link DalvaNotFoundException} when it does not exist. */
    public RunInfo getRun(long runDbId) {
        return get(url(run(runDbId)), JsonResponses::runInfo);
    }

    /** The run with its scalar metrics and config. */
    public RunSummary getRunSummary(long runDbId) {
        return get(url(run(runDbId) + "/summary"), JsonResponses::runSummary);
    }

    /** A page of runs matching the query. */
    public RunPage listRuns(RunQuery query) {
        Objects.requireNonNull(query, "query");
        HttpUrl url = url("api/runs/", b -> {
            addQuery(b, "project_id", query.projectId());
            addQuery(b, "group", query.group());
            addQuery(b, "state", query.state() == null ? null : query.state().apiValue());
            addQuery(b, "search", query.search());
            addQuery(b, "tags", query.tags().isEmpty() ? null : String.join(",", query.tags()));
            addQuery(b, "limit", query.limit());
            addQuery(b, "offset", query.offset());
            addQuery(b, "sort_by", query.sortBy());
            addQuery(b, "sort_order", query.ascending() == null ? null : query.ascending() ? "asc" : "desc");
            return b;
        });
        return get(url, JsonResponses::runPage);
    }

    /** Every project, newest first (read page by page). */
    public List<ProjectInfo> listProjects() {
        int pageSize = 100;
        Map<Long, ProjectInfo> projects = new LinkedHashMap<>();
        for (int offset = 0;; offset += pageSize) {
            int from = offset;
            List<ProjectInfo> page = get(
                    url("api/projects/",
                            b -> b.addQueryParameter("limit", Integer.toString(pageSize))
                                .addQueryParameter("offset", Integer.toString(from))),
                    node -> list(node, JsonResponses::project));
            int before = projects.size();
            page.forEach(p -> projects.putIfAbsent(p.id(), p));
            if (page.size() < pageSize || projects.size() == before) {
                return List.copyOf(projects.values());
            }
        }
    }

    /** Every metric path of a run with its type. */
    public List<MetricPath> listMetrics(long runDbId) {
        return get(url("api/metrics/runs/" + runDbId), node -> list(node, JsonResponses::metricPath));
    }

    /** A page of a metric's values in step order. */
    public MetricPage getMetricValues(long runDbId, String path, MetricQuery query) {
        MetricQuery q = query == null ? MetricQuery.DEFAULT : query;
        HttpUrl url = url("api/metrics/runs/" + runDbId + "/metric", Values.checkPath(path, "metric path"), b -> {
            addQuery(b, "limit", q.limit());
            addQuery(b, "offset", q.offset());
            addQuery(b, "step_min", q.stepMin());
            addQuery(b, "step_max", q.stepMax());
            return b;
        });
        return get(url, JsonResponses::metricPage);
    }

    /**
     * Releases the connections this client opened (not those of an OkHttpClient it was
     * given).
     */
    @Override
    public void close() {
        closed = true;
        if (ownsHttp) {
            http.connectionPool().evictAll();
        }
    }

    @Override
    public String toString() {
        return "DalvaClient[" + serverUrl() + "]";
    }

    // ---- requests ----

    private <T> T get(HttpUrl url, Function<JsonNode, T> reader) {
        return call("GET", url, null, reader);
    }

    private <T> T post(HttpUrl url, byte[] body, Function<JsonNode, T> reader) {
        return call("POST", url, body, reader);
    }

    private <T> T call(String method, HttpUrl url, byte[] body, Function<JsonNode, T> reader) {
        return call(method, url, body == null ? null : RequestBody.create(body, JSON), reader, http);
    }

    private <T> T call(String method, HttpUrl url, RequestBody body, Function<JsonNode, T> reader, OkHttpClient http) {
        if (closed) {
            throw new IllegalStateException("this DalvaClient is closed");
        }
        String call = method + " " + url.encodedPath();
        Request.Builder request = new Request.Builder().url(url)
            .method(method, body)
            .header("Accept", "application/json");
        headers.forEach(request::header);
        String text;
        int status;
        String contentType;
        try (Response response = http.newCall(request.build()).execute()) {
            status = response.code();
            contentType = response.header("Content-Type");
            ResponseBody responseBody = response.body();
            text = responseBody == null ? "" : responseBody.string();
        }
        catch (IOException e) {
            throw new DalvaUnreachableException(
                    "cannot reach Dalva at " + serverUrl() + " (" + call + "): " + describe(e), e);
        }
        if (status < 200 || status >= 300) {
            throw errors.toException(call, status, contentType, text);
        }
        try {
            return reader.apply(mapper.readTree(text));
        }
        catch (IOException | RuntimeException e) {
            String excerpt = ErrorResponses.summarize(contentType, text);
            String problem = e instanceof IOException ? "not JSON" : describe(e);
            throw new DalvaServerException(
                    call + " answered " + status + " with an unexpected body (" + problem + "): " + excerpt, status,
                    excerpt);
        }
    }

    private static String describe(Exception e) {
        String message = e.getMessage();
        String type = e.getClass().getSimpleName();
        if (message == null || message.isBlank()) {
            return type;
        }
        String firstLine = message.lines().findFirst().orElse(message);
        return e instanceof IllegalStateException ? firstLine : type + ": " + firstLine;
    }

    // ---- URLs ----

    private static String run(long runDbId) {
        return "api/runs/" + runDbId;
    }

    private HttpUrl metricUrl(long runDbId, String path, Integer step) {
        Values.checkStep(step);
        return url(run(runDbId) + "/metrics", Values.checkPath(path, "metric path"), b -> addQuery(b, "step", step));
    }

    private HttpUrl url(String fixedPath) {
        return url(fixedPath, b -> b);
    }

    private HttpUrl url(String fixedPath, UnaryOperator<HttpUrl.Builder> query) {
        return query.apply(baseUrl.newBuilder().addPathSegments(fixedPath)).build();
    }

    private HttpUrl url(String fixedPath, String userPath) {
        return url(fixedPath, Values.checkPath(userPath, "config key"), b -> b);
    }

    /**
     * Appends a user's path ({@code train/loss}) segment by segment, each one
     * percent-encoded.
     */
    private HttpUrl url(String fixedPath, String userPath, UnaryOperator<HttpUrl.Builder> query) {
        HttpUrl.Builder builder = baseUrl.newBuilder().addPathSegments(fixedPath);
        for (String segment : userPath.split("/", -1)) {
            builder.addPathSegment(segment);
        }
        return query.apply(builder).build();
    }

    private static HttpUrl.Builder addQuery(HttpUrl.Builder builder, String name, Object value) {
        return value == null ? builder : builder.addQueryParameter(name, value.toString());
    }

    private static <T> List<T> list(JsonNode array, Function<JsonNode, T> reader) {
        if (!array.isArray()) {
            throw new IllegalStateException("expected a JSON list, got " + array.getNodeType());
        }
        List<T> list = new ArrayList<>(array.size());
        array.forEach(element -> list.add(reader.apply(element)));
        return List.copyOf(list);
    }

    // ---- configuration ----

    static String resolveServerUrl(String explicit, Function<String, String> environment) {
        if (explicit != null && !explicit.isBlank()) {
            return explicit.strip();
        }
        return Defaults.serverUrl(environment);
    }

    private static HttpUrl parseServerUrl(String url) {
        HttpUrl parsed = HttpUrl.parse(url);
        if (parsed == null) {
            throw new IllegalArgumentException("Dalva server URL '" + url + "' is not an http:// or https:// URL");
        }
        if (parsed.query() != null || parsed.fragment() != null) {
            throw new IllegalArgumentException("Dalva server URL '" + url + "' must not have a query or fragment");
        }
        // keep a path prefix (a reverse proxy's /dalva), always ending in '/'
        String path = parsed.encodedPath();
        return path.endsWith("/") ? parsed : parsed.newBuilder().encodedPath(path + "/").build();
    }

    private static long millis(Duration timeout, Duration defaultTimeout) {
        return (timeout == null ? defaultTimeout : timeout).toMillis();
    }

    private static Duration checkTimeout(Duration timeout, String name) {
        Objects.requireNonNull(timeout, name);
        if (timeout.isNegative() || timeout.isZero() || timeout.toMillis() == 0) {
            throw new IllegalArgumentException(name + " must be positive (at least 1 ms), was " + timeout);
        }
        return timeout;
    }

    /**
     * Builds a {@link DalvaClient}. Every setting is optional; see the class
     * documentation for the defaults.
     */
    public static final class Builder {

        private String serverUrl;

        private Duration connectTimeout;

        private Duration readTimeout;

        private Duration callTimeout;

        private final Map<String, String> headers = new LinkedHashMap<>();

        private OkHttpClient okHttpClient;

        private Builder() {
        }

        /**
         * Base URL, e.g. {@code https://dalva.example.com} or
         * {@code http://host:8000/prefix}.
         */
        public Builder serverUrl(String serverUrl) {
            this.serverUrl = serverUrl;
            return this;
        }

        /** Time to open a connection; default 5 s. */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = checkTimeout(timeout, "connectTimeout");
            return this;
        }

        /** Time to wait for each read (and write) on the socket; default 30 s. */
        public Builder readTimeout(Duration timeout) {
            this.readTimeout = checkTimeout(timeout, "readTimeout");
            return this;
        }

        /** Time for a whole call, connection to last byte; default 60 s. */
        public Builder callTimeout(Duration timeout) {
            this.callTimeout = checkTimeout(timeout, "callTimeout");
            return this;
        }

        /**
         * A header sent with every request, e.g. {@code Authorization} for a reverse
         * proxy.
         */
        public Builder header(String name, String value) {
            new Headers.Builder().add(name, value); // validates name and value now, not
                                                    // at the first call
            headers.put(name, value);
            return this;
        }

        /**
         * An OkHttpClient to share (its connection pool, TLS setup, interceptors). Its
         * own timeouts are kept unless set on this builder; {@link DalvaClient#close()}
         * leaves it open.
         */
        public Builder okHttpClient(OkHttpClient client) {
            this.okHttpClient = Objects.requireNonNull(client, "client");
            return this;
        }

        public DalvaClient build() {
            return new DalvaClient(this);
        }

    }

}
