package io.dalva.benchmarks;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A loopback HTTP endpoint that reads every request body, counts its bytes and metric
 * values ({@link BodyValues}) and throws it away: the common receiver of the publish
 * benchmarks, run in its own JVM (see {@link ChildJvm}) so that its CPU time and
 * allocations are not charged to the registry being measured.
 *
 * <p>
 * It answers just enough of Dalva's API for a run to open and finish
 * ({@code /api/health}, {@code /api/runs/init}, {@code /finish}, {@code /state}, the
 * run's metric list), and {@code 200 {"success":true}} to every other POST, whatever its
 * path: Influx's {@code /write}, OTLP's {@code /v1/metrics}, Dalva's {@code /log} and
 * {@code /log/batch}. {@code GET /__stats} returns
 * {@code <requests> <bodyBytes> <values> <failures>} of the data requests received since
 * the last {@code POST /__reset} (see {@link SinkStats}). After {@code POST /__hold}
 * every data request waits, unanswered, until {@code POST /__release} (at most 10
 * minutes): a server that holds the sender.
 */
public final class LoopbackSink {

    static final String STATS_PATH = "/__stats";

    static final String RESET_PATH = "/__reset";

    static final String HOLD_PATH = "/__hold";

    static final String RELEASE_PATH = "/__release";

    private static final long MAX_HOLD_NANOS = TimeUnit.MINUTES.toNanos(10);

    private static final byte[] SUCCESS = bytes("{\"success\":true}");

    private static final byte[] HEALTHY = bytes("{\"status\":\"healthy\"}");

    private static final byte[] RUN = bytes("{\"id\":1,\"run_id\":\"BEN-1\",\"name\":\"bench\"}");

    private static final byte[] COMPLETED = bytes("{\"state\":\"completed\"}");

    private static final byte[] RUN_INFO = bytes("{\"id\":1,\"project_id\":1,\"run_id\":\"BEN-1\",\"name\":\"bench\","
            + "\"group_name\":null,\"tags\":[],\"state\":\"failed\",\"fork_from\":null,"
            + "\"created_at\":\"2026-01-01T00:00:00\",\"updated_at\":\"2026-01-01T00:00:00\"}");

    private static final byte[] NOT_FOUND = bytes("{\"detail\":\"Not found\"}");

    private final AtomicLong requests = new AtomicLong();

    private final AtomicLong bodyBytes = new AtomicLong();

    private final AtomicLong values = new AtomicLong();

    private final AtomicLong failures = new AtomicLong();

    private final Object holdLock = new Object();

    private boolean holding;

    private LoopbackSink() {
    }

    /** Starts the sink on a free loopback port and prints {@code LISTENING <port>}. */
    public static void main(String[] args) {
        ChildJvm.serve(() -> start().getAddress().getPort());
    }

    /** Starts a sink in this JVM (for tests); stop the returned server when done. */
    static HttpServer start() throws IOException {
        return new LoopbackSink().listen();
    }

    private HttpServer listen() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        ExecutorService executor = Executors.newFixedThreadPool(8, r -> {
            Thread thread = new Thread(r, "sink-http");
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
        return server;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getPath();
            if (path.equals(STATS_PATH)) {
                respond(exchange, 200,
                        bytes(requests.get() + " " + bodyBytes.get() + " " + values.get() + " " + failures.get()));
            }
            else if (path.equals(RESET_PATH)) {
                requests.set(0);
                bodyBytes.set(0);
                values.set(0);
                failures.set(0);
                respond(exchange, 200, SUCCESS);
            }
            else if (path.equals(HOLD_PATH) || path.equals(RELEASE_PATH)) {
                hold(path.equals(HOLD_PATH));
                respond(exchange, 200, SUCCESS);
            }
            else if (path.equals("/api/health")) {
                respond(exchange, 200, HEALTHY);
            }
            else if (path.equals("/api/runs/init")) {
                respond(exchange, 200, RUN);
            }
            else if (path.endsWith("/finish")) {
                respond(exchange, 200, COMPLETED);
            }
            else if (path.endsWith("/state") || path.equals("/api/runs/1")) {
                respond(exchange, 200, RUN_INFO);
            }
            else if (path.startsWith("/api/metrics/runs/")) {
                respond(exchange, 200, bytes("[]"));
            }
            else if (method.equals("POST")) {
                count(path, exchange.getRequestHeaders().getFirst("Content-Encoding"), body);
                awaitRelease();
                respond(exchange, 200, SUCCESS);
            }
            else {
                failures.incrementAndGet();
                respond(exchange, 404, NOT_FOUND);
            }
        }
    }

    private void count(String path, String contentEncoding, byte[] body) {
        try {
            values.addAndGet(BodyValues.count(path, contentEncoding, body));
            requests.incrementAndGet();
            bodyBytes.addAndGet(body.length);
        }
        catch (RuntimeException ex) {
            failures.incrementAndGet();
        }
    }

    private void hold(boolean hold) {
        synchronized (holdLock) {
            holding = hold;
            holdLock.notifyAll();
        }
    }

    private void awaitRelease() {
        long deadline = System.nanoTime() + MAX_HOLD_NANOS;
        synchronized (holdLock) {
            for (long left; holding && (left = deadline - System.nanoTime()) > 0;) {
                try {
                    TimeUnit.NANOSECONDS.timedWait(holdLock, left);
                }
                catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private static void respond(HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

}
