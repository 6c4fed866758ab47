package io.dalva.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dalva.test.DalvaTestServer;
import io.dalva.test.DalvaTestServerExtension;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLException;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.RequestBody;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Every error row of dalva-api.md, and failures without a Dalva answer, over HTTP. */
@ExtendWith(DalvaTestServerExtension.class)
class DalvaClientErrorsTest {

    private static final AtomicInteger projects = new AtomicInteger();

    private DalvaTestServer server;

    private DalvaClient client;

    private long run;

    @BeforeEach
    void setUp(DalvaTestServer server) {
        this.server = server;
        this.client = DalvaClient.builder().serverUrl(server.url()).build();
        this.run = client.initRun(RunInit.builder("errors-" + projects.incrementAndGet()).build()).id();
    }

    @AfterEach
    void tearDown() {
        server.resetFaults();
        client.close();
    }

    @Test
    void unknownRunIsNotFound() {
        assertThatThrownBy(() -> client.getRun(987_654)).isInstanceOfSatisfying(DalvaNotFoundException.class, e -> {
            assertThat(e.status()).isEqualTo(404);
            assertThat(e).hasMessage("GET /api/runs/987654 answered 404: Run not found");
        });
        assertThatThrownBy(() -> client.log(987_654, Map.of("loss", 1.0), 0))
            .isInstanceOf(DalvaNotFoundException.class);
        assertThatThrownBy(() -> client.finish(987_654)).isInstanceOf(DalvaNotFoundException.class);
    }

    @Test
    void unknownMetricOrConfigKeyIsNotFound() {
        assertThatThrownBy(() -> client.getMetric(run, "nope", null)).isInstanceOf(DalvaNotFoundException.class)
            .hasMessageContaining("nope");
        assertThatThrownBy(() -> client.deleteMetric(run, "nope", 3)).isInstanceOf(DalvaNotFoundException.class);
        assertThatThrownBy(() -> client.deleteConfig(run, "nope")).isInstanceOf(DalvaNotFoundException.class);
    }

    @Test
    void aValueAtAnExistingStepIsAConflictWithTheServersList() {
        client.log(run, Map.of("loss", 1.0), 0);

        assertThatThrownBy(() -> client.log(run, Map.of("loss", 2.0), 0))
            .isInstanceOfSatisfying(DalvaConflictException.class, e -> {
                assertThat(e.status()).isEqualTo(409);
                assertThat(e.conflicts()).containsExactly(new Conflict(null, "loss", 0, Conflict.Kind.ALREADY_EXISTS,
                        "Metric 'loss' already exists at step 0 (use remove() first to overwrite)"));
                assertThat(e.getMessage()).startsWith("POST /api/runs/" + run + "/log answered 409: ")
                    .contains("already exists at step 0");
            });
    }

    @Test
    void aTypeChangeIsAConflict() {
        client.log(run, Map.of("epoch", 1), 0);

        assertThatThrownBy(() -> client.log(run, Map.of("epoch", 1.5), 1)).isInstanceOfSatisfying(
                DalvaConflictException.class, e -> assertThat(e.conflicts()).singleElement().satisfies(conflict -> {
                    assertThat(conflict.kind()).isEqualTo(Conflict.Kind.TYPE_CHANGE);
                    assertThat(conflict.path()).isEqualTo("epoch");
                    assertThat(conflict.text()).startsWith("Type conflict for 'epoch': cannot log float_series");
                }));
    }

    @Test
    void mixingScalarAndSeriesOnAPathIsAConflict() {
        client.log(run, Map.of("best", 0.9), null);
        client.log(run, Map.of("loss", 0.9), 0);

        assertThatThrownBy(() -> client.log(run, Map.of("best", 0.95), 1)).isInstanceOfSatisfying(
                DalvaConflictException.class,
                e -> assertThat(e.conflicts()).singleElement()
                    .extracting(Conflict::kind, Conflict::path, Conflict::step)
                    .containsExactly(Conflict.Kind.SCALAR_VS_SERIES, "best", 1));
        assertThatThrownBy(() -> client.log(run, Map.of("loss", 0.5), null)).isInstanceOf(DalvaConflictException.class);
    }

    @Test
    void anInvalidBodyIsAnInvalidRequestWithFastApisDetails() {
        // The client never sends an invalid body; a proxy rewriting it shows how a 422 is
        // reported.
        try (DalvaClient rewriting = rewritingClient("{\"name\":\"no project\"}")) {
            assertThatThrownBy(() -> rewriting.initRun(RunInit.builder("p").build()))
                .isInstanceOfSatisfying(DalvaInvalidRequestException.class, e -> {
                    assertThat(e.status()).isEqualTo(422);
                    assertThat(e.details()).anySatisfy(d -> assertThat(d).contains("project"));
                });
        }
    }

    @Test
    void aNonScalarMetricIsAnInvalidRequestNamingTheKey() {
        try (DalvaClient rewriting = rewritingClient("{\"metrics\":{\"loss\":null,\"ok\":1.0},\"step\":0}")) {
            assertThatThrownBy(() -> rewriting.log(run, Map.of("loss", 1.0), 0))
                .isInstanceOfSatisfying(DalvaInvalidRequestException.class, e -> {
                    assertThat(e.details()).singleElement().asString().startsWith("loss: ");
                    assertThat(e.getMessage()).contains("scalars");
                });
        }
    }

    @Test
    void resumingAMissingRunIsTheServersBare500() {
        // DalvaRun checks first; the raw endpoint shows what the server answers.
        assertThatThrownBy(() -> client.initRun(RunInit.builder("errors-resume").resumeFrom("ERR-999999").build()))
            .isInstanceOfSatisfying(DalvaServerException.class, e -> {
                assertThat(e.status()).isEqualTo(500);
                assertThat(e.bodyExcerpt()).isEqualTo("Internal server error");
            });
    }

    @Test
    void aDuplicatePathAndStepInOneBatchIsTheServersBare500() {
        assertThatThrownBy(() -> client.logBatch(run,
                List.of(new LogEntry(Map.of("x", 1.0), 0), new LogEntry(Map.of("x", 2.0), 0))))
            .isInstanceOfSatisfying(DalvaServerException.class, e -> assertThat(e.status()).isEqualTo(500));
        assertThat(server.paths(run)).doesNotContain("x");
    }

    @Test
    void serverErrorsCarryTheStatusAndDetail() {
        server.failNext(1, 503, "/log$");

        assertThatThrownBy(() -> client.log(run, Map.of("loss", 1.0), 0))
            .isInstanceOfSatisfying(DalvaServerException.class, e -> {
                assertThat(e.status()).isEqualTo(503);
                assertThat(e.getMessage()).startsWith("POST /api/runs/" + run + "/log answered 503: ");
            });
        assertThat(server.paths(run)).isEmpty();
    }

    @Test
    void anHtmlErrorPageIsSummarisedNotDumped() {
        String page = "<!DOCTYPE html><html><head><title>500 Internal Server Error</title>"
                + "<style>body { font-family: sans-serif; }</style></head><body><h1>Internal Server Error</h1>" + "<p>"
                + "The server encountered an internal error. ".repeat(100) + "</p></body></html>";
        server.failNext(1, 500, "/log$", "text/html; charset=utf-8", page);

        assertThatThrownBy(() -> client.log(run, Map.of("loss", 1.0), 0))
            .isInstanceOfSatisfying(DalvaServerException.class, e -> {
                assertThat(e.status()).isEqualTo(500);
                assertThat(e.bodyExcerpt()).startsWith("HTML page \"500 Internal Server Error\"");
                assertThat(e.getMessage()).doesNotContain("<").doesNotContain("font-family").hasSizeLessThan(200);
            });
    }

    @Test
    void aProxysHtmlPageWithSuccessStatusIsAnUnexpectedAnswer() {
        server.failNext(1, 200, "/api/runs/$", "text/html", "<html><body><h1>Dalva UI</h1></body></html>");

        assertThatThrownBy(() -> client.listRuns(RunQuery.ALL)).isInstanceOfSatisfying(DalvaServerException.class,
                e -> {
                    assertThat(e.status()).isEqualTo(200);
                    assertThat(e.getMessage()).contains("unexpected body")
                        .contains("HTML page \"Dalva UI\"")
                        .doesNotContain("<");
                });
    }

    @Test
    void plainTextBodiesAreShortened() {
        server.failNext(1, 502, null, "text/plain", "upstream went away " + "x".repeat(5000));

        assertThatThrownBy(client::health).isInstanceOfSatisfying(DalvaServerException.class, e -> {
            assertThat(e.status()).isEqualTo(502);
            assertThat(e.bodyExcerpt()).startsWith("upstream went away").hasSizeLessThanOrEqualTo(201);
        });
    }

    @Test
    void aClosedPortIsUnreachable() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        try (DalvaClient closed = DalvaClient.builder().serverUrl("http://127.0.0.1:" + port).build()) {
            assertThatThrownBy(closed::health).isInstanceOfSatisfying(DalvaUnreachableException.class, e -> {
                assertThat(e.status()).isZero();
                assertThat(e.getMessage())
                    .startsWith("cannot reach Dalva at http://127.0.0.1:" + port + " (GET /api/health)");
                assertThat(e.getCause()).isInstanceOf(IOException.class);
            });
        }
    }

    @Test
    void aStoppedServerIsUnreachableAndComesBack() {
        server.stop();
        try {
            assertThatThrownBy(client::health).isInstanceOf(DalvaUnreachableException.class);
        }
        finally {
            server.restart();
        }
        client.health();
    }

    @Test
    void aSlowAnswerTimesOut() {
        server.delayResponses(Duration.ofMillis(1500));
        try (DalvaClient impatient = DalvaClient.builder()
            .serverUrl(server.url())
            .readTimeout(Duration.ofMillis(200))
            .build()) {
            assertThatThrownBy(impatient::health).isInstanceOfSatisfying(DalvaUnreachableException.class,
                    e -> assertThat(e.getCause()).isInstanceOf(SocketTimeoutException.class));
        }
        try (DalvaClient shortCall = DalvaClient.builder()
            .serverUrl(server.url())
            .callTimeout(Duration.ofMillis(200))
            .build()) {
            assertThatThrownBy(shortCall::health).isInstanceOf(DalvaUnreachableException.class)
                .hasMessageContaining("GET /api/health");
        }
    }

    @Test
    void aDroppedConnectionIsUnreachable() {
        server.dropConnectionAfterStoring(1, "/log$");

        assertThatThrownBy(() -> client.log(run, Map.of("loss", 1.0), 0)).isInstanceOf(DalvaUnreachableException.class);
        assertThat(server.series(run, "loss")).containsOnlyKeys(0);
    }

    @Test
    void httpsThroughAReverseProxyWithAPathPrefixAndAnAuthorizationHeader() throws Exception {
        try (TlsProxy proxy = TlsProxy.start(server.url(), "Bearer s3cret")) {
            OkHttpClient trusting = new OkHttpClient.Builder()
                .sslSocketFactory(proxy.clientContext().getSocketFactory(), proxy.trustManager())
                .build();
            try (DalvaClient tls = DalvaClient.builder()
                .serverUrl(proxy.url())
                .okHttpClient(trusting)
                .header("Authorization", "Bearer s3cret")
                .build()) {
                RunHandle handle = tls.initRun(RunInit.builder("https").config(Map.of("lr", 0.5)).build());
                tls.log(handle.id(), Map.of("loss", 0.25), 0);
                tls.finish(handle.id());

                assertThat(server.series(handle.id(), "loss")).containsExactly(Map.entry(0, 0.25));
                assertThat(tls.getRun(handle.id()).state()).isEqualTo(RunState.COMPLETED);
                assertThat(tls.listProjects()).extracting(ProjectInfo::name).contains("https");
                assertThat(tls.serverUrl()).endsWith("/dalva");
            }
            try (DalvaClient noAuth = DalvaClient.builder().serverUrl(proxy.url()).okHttpClient(trusting).build()) {
                assertThatThrownBy(noAuth::health).isInstanceOfSatisfying(DalvaServerException.class, e -> {
                    assertThat(e.status()).isEqualTo(401);
                    assertThat(e.bodyExcerpt()).startsWith("HTML page \"401 Authorization Required\"");
                });
            }
            try (DalvaClient untrusting = DalvaClient.builder()
                .serverUrl(proxy.url())
                .header("Authorization", "Bearer s3cret")
                .build()) {
                assertThatThrownBy(untrusting::health).isInstanceOfSatisfying(DalvaUnreachableException.class,
                        e -> assertThat(e.getCause()).isInstanceOf(SSLException.class));
            }
        }
    }

    /**
     * A client whose OkHttp rewrites every request body, as a misbehaving proxy would.
     */
    private DalvaClient rewritingClient(String body) {
        OkHttpClient rewriting = new OkHttpClient.Builder().addInterceptor(chain -> chain.proceed(chain.request()
            .newBuilder()
            .method(chain.request().method(), RequestBody.create(body, MediaType.get("application/json")))
            .build())).build();
        return DalvaClient.builder().serverUrl(server.url()).okHttpClient(rewriting).build();
    }

}
