package io.dalva.benchmarks;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class LoopbackSinkTest {

    private final HttpClient http = HttpClient.newHttpClient();

    private HttpServer sink;

    private String url;

    @BeforeEach
    void start() throws IOException {
        sink = LoopbackSink.start();
        url = "http://127.0.0.1:" + sink.getAddress().getPort();
    }

    @AfterEach
    void stop() {
        sink.stop(0);
    }

    @Test
    void countsDataRequestsTheirBodyBytesAndValues() throws Exception {
        String batch = "{\"entries\":[{\"metrics\":{\"a\":1.0,\"b\":2.0},\"step\":0}]}";
        String influx = "m,series=1 count=3,sum=1.5 1\n";

        assertThat(post("/api/runs/1/log/batch", batch).statusCode()).isEqualTo(200);
        assertThat(post("/write", influx).statusCode()).isEqualTo(200);
        post("/api/runs/init", "{\"project\":\"bench\"}");

        SinkStats stats = stats();
        assertThat(stats).isEqualTo(new SinkStats(2, batch.length() + influx.length(), 4, 0));
        assertThat(stats.bytesPerValue()).isEqualTo((batch.length() + influx.length()) / 4.0);
    }

    @Test
    void resetStartsTheCountsAgainAndAnUnreadableBodyIsAFailure() throws Exception {
        post("/api/runs/1/log", "{\"metrics\":{\"a\":1.0}}");
        post(LoopbackSink.RESET_PATH, "");
        post("/v1/metrics", "not protobuf {");

        assertThat(stats()).isEqualTo(new SinkStats(0, 0, 0, 1));
    }

    @Test
    void holdsDataRequestsUntilReleased() throws Exception {
        post(LoopbackSink.HOLD_PATH, "");
        CompletableFuture<HttpResponse<String>> held = http.sendAsync(request("/api/runs/1/log", "{\"metrics\":{}}"),
                HttpResponse.BodyHandlers.ofString());

        assertThatExceptionOfType(TimeoutException.class).isThrownBy(() -> held.get(300, TimeUnit.MILLISECONDS));
        assertThat(post("/api/health", "").statusCode()).isEqualTo(200);
        post(LoopbackSink.RELEASE_PATH, "");
        assertThat(held.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    }

    private SinkStats stats() throws Exception {
        return SinkStats.parse(http.send(HttpRequest.newBuilder(URI.create(url + LoopbackSink.STATS_PATH)).build(),
                HttpResponse.BodyHandlers.ofString())
            .body());
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        return http.send(request(path, body), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest request(String path, String body) {
        return HttpRequest.newBuilder(URI.create(url + path))
            .timeout(Duration.ofSeconds(10))
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    }

}
