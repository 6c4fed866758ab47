package io.dalva.test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;

/** Raw HTTP to a Dalva server (test server or real), with OkHttp and Jackson. */
final class Http {

    static final JsonMapper JSON = JsonMapper.builder().build();

    private static final MediaType APPLICATION_JSON = MediaType.get("application/json");

    private final String baseUrl;

    private final OkHttpClient client;

    Http(String baseUrl) {
        this(baseUrl, new OkHttpClient.Builder().followRedirects(false).callTimeout(Duration.ofSeconds(30)).build());
    }

    Http(String baseUrl, OkHttpClient client) {
        this.baseUrl = baseUrl;
        this.client = client;
    }

    /**
     * An answer: status, raw body, parsed body (null when not JSON) and the Location
     * header.
     */
    record Reply(int status, String body, JsonNode json, String location) {

        JsonNode at(String pointer) {
            return json.at(pointer);
        }
    }

    Reply get(String path) {
        return call(new Request.Builder().url(baseUrl + path).get().build());
    }

    Reply delete(String path) {
        return call(new Request.Builder().url(baseUrl + path).delete().build());
    }

    Reply post(String path, String json) {
        return call(new Request.Builder().url(baseUrl + path).post(RequestBody.create(json, APPLICATION_JSON)).build());
    }

    Reply postEmpty(String path) {
        return call(new Request.Builder().url(baseUrl + path).post(RequestBody.create(new byte[0])).build());
    }

    Reply patch(String path) {
        return call(new Request.Builder().url(baseUrl + path).patch(RequestBody.create(new byte[0])).build());
    }

    Reply call(Request request) {
        try {
            return execute(request);
        }
        catch (IOException e) {
            throw new UncheckedIOException(request.method() + " " + request.url() + " failed", e);
        }
    }

    Reply execute(Request request) throws IOException {
        try (Response response = client.newCall(request).execute()) {
            String body = response.body() == null ? "" : response.body().string();
            JsonNode json = null;
            if (!body.isEmpty()) {
                try {
                    json = JSON.readTree(body);
                }
                catch (IOException notJson) {
                    json = null;
                }
            }
            return new Reply(response.code(), body, json, response.header("Location"));
        }
    }

    /**
     * Creates a run and returns the init answer ({@code id}, {@code run_id},
     * {@code name}).
     */
    JsonNode init(String project, String name) {
        Reply reply = post("/api/runs/init", "{\"project\":\"" + project + "\",\"name\":\"" + name + "\"}");
        if (reply.status() != 200) {
            throw new AssertionError("init failed: " + reply);
        }
        return reply.json();
    }

    static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

}
