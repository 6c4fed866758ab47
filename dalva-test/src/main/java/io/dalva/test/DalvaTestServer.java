package io.dalva.test;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-process server that follows the HTTP contract of the Dalva experiment tracker,
 * sharp edges included, for tests that must not need Python.
 *
 * <p>
 * It listens on 127.0.0.1, keeps everything in memory, and answers like Dalva 0.3 does:
 * flattening with {@code /}, types inferred from the JSON token ({@code 1} is an int,
 * {@code 1.0} a float, {@code _series} with a step), strict inserts answered with the
 * real 409 bodies, whole batches rolled back, a 500 for a duplicate path and step inside
 * one batch, for a step or int value outside 32 bits, for resume problems, and for a
 * write to a run while another write to that run is being handled; 307 for a collection
 * URL without its trailing slash; ids that do not start at 1. Faults can be injected:
 * {@link #failNext}, {@link #delayResponses}, {@link #dropConnectionAfterStoring},
 * {@link #stop()} and {@link #restart()}. Every request is recorded
 * ({@link #requests()}), and the stored state can be read directly for assertions
 * ({@link #runs()}, {@link #series}, ...).
 *
 * <pre>{@code
 * try (DalvaTestServer server = DalvaTestServer.start()) {
 *     myCode.logTo(server.url());
 *     assertThat(server.series(server.runs().get(0).id(), "train/loss")).hasSize(10);
 * }
 * }</pre>
 *
 * <p>
 * Thread-safe. Start-up takes a few milliseconds; close it (or use
 * {@link DalvaTestServerExtension}), since the JDK server's dispatcher thread is not a
 * daemon.
 */
public final class DalvaTestServer implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(DalvaTestServer.class.getName());

    static {
        // The JDK server writes headers and body separately; without TCP_NODELAY, Nagle's
        // algorithm
        // and the client's delayed ACK add ~40 ms to every answer. Read once, when the
        // JDK server
        // classes load; a value set by the user wins.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    private final Store store = new Store();

    private final Faults faults = new Faults();

    private final Api api = new Api(store, faults);

    private final List<RecordedRequest> requests = new ArrayList<>();

    private final AtomicInteger threadCount = new AtomicInteger();

    private final Object idle = new Object();

    private int inProgress; // guarded by idle

    private final ExecutorService executor;

    private final int port;

    private HttpServer server;

    private boolean closed;

    private DalvaTestServer(int requestedPort) {
        this.executor = Executors.newCachedThreadPool(task -> {
            Thread thread = new Thread(task, "dalva-test-server-" + threadCount.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        try {
            this.server = listen(requestedPort);
        }
        catch (UncheckedIOException e) {
            executor.shutdownNow();
            throw e;
        }
        this.port = server.getAddress().getPort();
    }

    /** Starts a server on a free loopback port. */
    public static DalvaTestServer start() {
        return new DalvaTestServer(0);
    }

    /** Starts a server on the given loopback port (0 for any free port). */
    public static DalvaTestServer start(int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be between 0 and 65535, was " + port);
        }
        return new DalvaTestServer(port);
    }

    /** The base URL, such as {@code http://127.0.0.1:51234}, without a trailing slash. */
    public String url() {
        return "http://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /** Whether the server is listening (not stopped, not closed). */
    public synchronized boolean isRunning() {
        return server != null;
    }

    /**
     * Stops listening: connections are refused and open ones closed. All data is kept.
     */
    public synchronized void stop() {
        if (server != null) {
            server.stop(0);
            server = null;
        }
    }

    /**
     * Listens again on the same port with the same data, like a restarted Dalva server
     * (which also skips one id of every sequence at start-up). Stops first if running.
     * @throws UncheckedIOException if the port was taken meanwhile
     * @throws IllegalStateException if the server was closed
     */
    public synchronized void restart() {
        if (closed) {
            throw new IllegalStateException("DalvaTestServer is closed");
        }
        stop();
        server = listen(port);
    }

    /** Stops for good and releases the threads. */
    @Override
    public synchronized void close() {
        stop();
        closed = true;
        executor.shutdownNow();
    }

    private HttpServer listen(int port) {
        try {
            HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
            http.createContext("/", this::handle);
            http.setExecutor(executor);
            http.start();
            store.serverStarted();
            return http;
        }
        catch (IOException e) {
            throw new UncheckedIOException("Could not listen on 127.0.0.1:" + port, e);
        }
    }

    // ------------------------------------------------------------------ fault injection

    /**
     * Answers the next {@code count} requests, whatever their path, with {@code status},
     * without handling them.
     */
    public void failNext(int count, int status) {
        failNext(count, status, null);
    }

    /**
     * Answers the next {@code count} requests whose path matches {@code pathRegex}
     * (searched in the decoded path, such as {@code "/log/batch$"}; null for any) with
     * {@code status}, without handling them. The body is the server's own
     * {@code {"detail":"Internal server error"}} for 500, else {@code {"detail":"<reason
     * phrase>"}}.
     */
    public void failNext(int count, int status, String pathRegex) {
        failNext(count, status, pathRegex, "application/json",
                "{\"detail\":\"" + (status == 500 ? "Internal server error" : reason(status)) + "\"}");
    }

    /**
     * Answers the next {@code count} matching requests with this status and body, without
     * handling them: for example an HTML page from a proxy.
     */
    public void failNext(int count, int status, String pathRegex, String contentType, String body) {
        if (count < 0 || status < 100 || status > 599) {
            throw new IllegalArgumentException(
                    "count must be >= 0 and status an HTTP status, was " + count + ", " + status);
        }
        Objects.requireNonNull(contentType, "contentType");
        Objects.requireNonNull(body, "body");
        if (count > 0) {
            faults.failNext(count, new Faults.Failure(status, contentType, body), pathRegex);
        }
    }

    /**
     * Holds back every answer by {@code delay} after handling the request;
     * {@link Duration#ZERO} resets.
     */
    public void delayResponses(Duration delay) {
        if (delay.isNegative()) {
            throw new IllegalArgumentException("delay must not be negative");
        }
        faults.delay(delay);
    }

    /**
     * Handles the next {@code count} requests matching {@code pathRegex} (null for any)
     * normally, storing their data, then closes the connection without any answer: the
     * client sees an {@link IOException} although the write landed. Note that OkHttp,
     * with its default {@code retryOnConnectionFailure(true)}, silently resends a request
     * whose reused (pooled) connection was closed this way: the caller then sees the
     * retry's answer, typically a 409 "already exists" for its own write, instead of the
     * IOException.
     */
    public void dropConnectionAfterStoring(int count, String pathRegex) {
        if (count < 0) {
            throw new IllegalArgumentException("count must be >= 0");
        }
        if (count > 0) {
            faults.dropNext(count, pathRegex);
        }
    }

    /**
     * Keeps each write to a run (log, batch, config, finish, state, deletes) in progress
     * for {@code hold} before answering, so that a second write to the same run arriving
     * meanwhile reliably gets the 500 the real server gives for parallel writes to one
     * run. {@link Duration#ZERO} resets.
     */
    public void holdWrites(Duration hold) {
        if (hold.isNegative()) {
            throw new IllegalArgumentException("hold must not be negative");
        }
        faults.writeHold(hold);
    }

    /**
     * Makes every write to a run take {@code latency} per metric or config value it
     * carries, holding the run meanwhile like the real server's transaction does
     * (measured: about 4 to 13 ms per value): the values become visible when the write
     * ends, a write that arrives meanwhile gets a 500, and a write whose client gave up
     * (timed out, disconnected) still completes, so that load, overlap and resends behave
     * as they would against Dalva. {@link Duration#ZERO} resets.
     */
    public void writeLatencyPerValue(Duration latency) {
        if (latency.isNegative()) {
            throw new IllegalArgumentException("latency must not be negative");
        }
        faults.perValue(latency);
    }

    /**
     * Behaves like a Dalva server that also serves its web UI: its catch-all route
     * answers a GET of an unknown {@code /api...} path, such as a collection URL without
     * its trailing slash, with 404 {@code {"detail":"Not found"}} instead of a 307, other
     * unknown GETs with the page, and other methods on unknown paths with 405.
     */
    public void serveWebUi(boolean serve) {
        api.servingWebUi(serve);
    }

    /** Forgets every injected fault, delay, hold and latency. */
    public void resetFaults() {
        faults.reset();
    }

    // ------------------------------------------------------------------ request log

    /** Every request received so far, in the order answered. */
    public synchronized List<RecordedRequest> requests() {
        return List.copyOf(requests);
    }

    public synchronized void clearRequests() {
        requests.clear();
    }

    /**
     * Requests being handled now: received, not answered yet (stored or not, they are not
     * in {@link #requests()} until answered).
     */
    public int requestsInProgress() {
        synchronized (idle) {
            return inProgress;
        }
    }

    /**
     * Waits until no request is being handled, at most {@code timeout}: every request
     * received so far is then answered and in {@link #requests()}. For example after a
     * client was killed while its request was delayed ({@link #delayResponses}): that
     * request's data is stored before its delay, but it is in {@link #requests()} only
     * once answered. A request still on its way (not read by the server yet) is not
     * waited for.
     * @return whether the server is idle
     */
    public boolean awaitIdle(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (idle) {
            while (inProgress > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(idle, left);
                }
                catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return true;
        }
    }

    // ------------------------------------------------------------------ assertion
    // helpers

    /** Every run, by database id. */
    public List<StoredRun> runs() {
        return store.storedRuns();
    }

    public Optional<StoredRun> run(long id) {
        return Optional.ofNullable(store.storedRun(id));
    }

    /** A run by its human id, such as {@code "DEM-7"}. */
    public Optional<StoredRun> runByRunId(String runId) {
        return Optional.ofNullable(store.storedRunByRunId(runId));
    }

    /**
     * The stepped values of a path: step to Double, Long, Boolean or String (null for a
     * NaN or infinite float). Empty when the run or path is unknown.
     */
    public SortedMap<Integer, Object> series(long runDbId, String path) {
        return store.series(runDbId, path);
    }

    /** The scalar (step-less) values of a run, by path. */
    public Map<String, Object> scalars(long runDbId) {
        return store.scalars(runDbId);
    }

    /**
     * The attribute type of a path ({@code "float_series"}, {@code "int"}, ...), or null
     * when absent.
     */
    public String attributeType(long runDbId, String path) {
        return store.attributeType(runDbId, path);
    }

    /** Every metric path of a run, sorted. */
    public Set<String> paths(long runDbId) {
        return store.paths(runDbId);
    }

    /** How many metric values (rows) a run holds. */
    public int storedValueCount(long runDbId) {
        return store.valueCount(runDbId);
    }

    // ------------------------------------------------------------------ HTTP

    private void handle(HttpExchange exchange) {
        synchronized (idle) {
            inProgress++;
        }
        try {
            answer(exchange);
        }
        finally {
            synchronized (idle) {
                inProgress--;
                idle.notifyAll();
            }
        }
    }

    private void answer(HttpExchange exchange) {
        Instant time = Instant.now();
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            String path = exchange.getRequestURI().getPath();
            String query = exchange.getRequestURI().getRawQuery();
            Map<String, List<String>> headers = new LinkedHashMap<>();
            exchange.getRequestHeaders().forEach((k, v) -> headers.put(k, List.copyOf(v)));
            Request request = new Request(exchange.getRequestMethod(), path, query, headers, body);

            Faults.Failure failure = faults.takeFailure(path);
            Response response = null;
            if (failure == null) {
                response = dispatch(request);
            }
            if (failure == null && faults.takeDrop(path)) {
                record(request, time, 0);
                return; // closing the exchange before sending headers closes the
                        // connection
            }
            Duration delay = faults.delay();
            if (!delay.isZero()) {
                Thread.sleep(delay.toMillis());
            }
            if (failure != null) {
                record(request, time, failure.status());
                send(exchange, failure.status(), failure.contentType(), failure.body().getBytes(StandardCharsets.UTF_8),
                        Map.of());
            }
            else {
                record(request, time, response.status());
                byte[] bytes = response.body() == null ? new byte[0] : response.body().isTextual()
                        ? response.body().textValue().getBytes(StandardCharsets.UTF_8) : Json.write(response.body());
                send(exchange, response.status(), response.body() == null ? null : "application/json",
                        request.method().equals("HEAD") ? new byte[0] : bytes, response.headers());
            }
        }
        catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "Client went away", e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Response dispatch(Request request) {
        try {
            return api.dispatch(request);
        }
        catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "DalvaTestServer failed on " + request.method() + " " + request.path(),
                    e);
            return Response.of(ApiError.internal());
        }
    }

    private synchronized void record(Request request, Instant time, int status) {
        requests.add(new RecordedRequest(request.method(), request.path(),
                request.rawQuery() == null ? "" : request.rawQuery(),
                new String(request.body(), StandardCharsets.UTF_8), time, status, Map.copyOf(request.headers())));
    }

    private static void send(HttpExchange exchange, int status, String contentType, byte[] body,
            Map<String, String> headers) throws IOException {
        if (contentType != null) {
            exchange.getResponseHeaders().set("Content-Type", contentType);
        }
        headers.forEach(exchange.getResponseHeaders()::set);
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    private static String reason(int status) {
        return switch (status) {
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 409 -> "Conflict";
            case 422 -> "Unprocessable Entity";
            case 429 -> "Too Many Requests";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            case 504 -> "Gateway Timeout";
            default -> "Error";
        };
    }

    @Override
    public String toString() {
        return "DalvaTestServer[" + url() + (isRunning() ? "" : ", stopped") + "]";
    }

}
