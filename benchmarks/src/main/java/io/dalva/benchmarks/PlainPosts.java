package io.dalva.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.net.SocketFactory;

import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * The server's own maximum, the yardstick of {@link EndToEnd}: a new run, then plain
 * {@code /log/batch} POSTs through OkHttp, one at a time, each with {@code batchSize}
 * values in entries of {@value EndToEnd#VALUES_PER_STEP} values a step, the bodies
 * encoded before the clock starts. Nothing of Dalva's client is involved.
 */
final class PlainPosts {

    private static final MediaType JSON_TYPE = MediaType.get("application/json");

    private static final ObjectMapper JSON = new ObjectMapper();

    private final OkHttpClient http = new OkHttpClient.Builder().socketFactory(new NoDelaySockets())
        .readTimeout(Duration.ofMinutes(5))
        .callTimeout(Duration.ofMinutes(5))
        .build();

    private final String serverUrl;

    PlainPosts(String serverUrl) {
        this.serverUrl = serverUrl.replaceAll("/+$", "");
    }

    /**
     * Sends {@code values} values (a multiple of {@value EndToEnd#VALUES_PER_STEP}) to a
     * new run of {@code project}.
     * @return the seconds from the first request until the last one was answered
     */
    double send(String project, String runName, int values, int batchSize) throws IOException {
        long runId = post("/api/runs/init", JSON.writeValueAsBytes(Map.of("project", project, "name", runName)))
            .path("id")
            .asLong(-1);
        if (runId < 0) {
            throw new IOException("the server did not open a run");
        }
        List<byte[]> bodies = bodies(values, batchSize);
        long start = System.nanoTime();
        for (byte[] body : bodies) {
            post("/api/runs/" + runId + "/log/batch", body);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        post("/api/runs/" + runId + "/finish", new byte[0]);
        return seconds;
    }

    private static List<byte[]> bodies(int values, int batchSize) throws IOException {
        int stepsPerBatch = Math.max(1, batchSize / EndToEnd.VALUES_PER_STEP);
        int steps = values / EndToEnd.VALUES_PER_STEP;
        List<byte[]> bodies = new ArrayList<>();
        for (int first = 0; first < steps; first += stepsPerBatch) {
            List<Map<String, Object>> entries = new ArrayList<>();
            for (int step = first; step < Math.min(steps, first + stepsPerBatch); step++) {
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("metrics", EndToEnd.stepValues(step));
                entry.put("step", step);
                entries.add(entry);
            }
            bodies.add(JSON.writeValueAsBytes(Map.of("entries", entries)));
        }
        return bodies;
    }

    private JsonNode post(String path, byte[] body) throws IOException {
        Request request = new Request.Builder().url(serverUrl + path).post(RequestBody.create(body, JSON_TYPE)).build();
        try (Response response = http.newCall(request).execute()) {
            String text = response.body() == null ? "" : response.body().string();
            if (!response.isSuccessful()) {
                throw new IOException("POST " + path + " answered " + response.code() + ": " + text);
            }
            return text.isEmpty() ? JSON.createObjectNode() : JSON.readTree(text);
        }
    }

    void close() {
        http.dispatcher().executorService().shutdown();
        http.connectionPool().evictAll();
    }

    /** Plain sockets with {@code TCP_NODELAY}. */
    private static final class NoDelaySockets extends SocketFactory {

        @Override
        public Socket createSocket() throws IOException {
            Socket socket = new Socket();
            socket.setTcpNoDelay(true);
            return socket;
        }

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            return connected(new InetSocketAddress(host, port));
        }

        @Override
        public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
            return connected(new InetSocketAddress(host, port));
        }

        @Override
        public Socket createSocket(InetAddress host, int port) throws IOException {
            return connected(new InetSocketAddress(host, port));
        }

        @Override
        public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
                throws IOException {
            return connected(new InetSocketAddress(address, port));
        }

        private Socket connected(InetSocketAddress address) throws IOException {
            Socket socket = createSocket();
            socket.connect(address);
            return socket;
        }

    }

}
