package io.dalva.examples.spring;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import io.dalva.test.DalvaTestServer;
import io.dalva.test.StoredRun;
import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Starts the example as a user would (its own application.properties) against a
 * {@link DalvaTestServer} and checks what the run holds after the application stops.
 */
class GreetingApplicationTests {

    @Test
    void exampleRecordsItsGreetingsInOneCompletedRun() throws Exception {
        try (DalvaTestServer server = DalvaTestServer.start()) {
            try (ConfigurableApplicationContext context = SpringApplication.run(GreetingApplication.class,
                    "--server.port=0", "--dalva.server-url=" + server.url(), "--dalva.shutdown-timeout=30s")) {
                int port = context.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
                HttpResponse<String> response = HttpClient.newHttpClient()
                    .send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/greeting?name=Dalva"))
                        .build(), HttpResponse.BodyHandlers.ofString());
                assertThat(response.body()).isEqualTo("Hello, Dalva!");
            }
            StoredRun run = server.runs()
                .stream()
                .filter((candidate) -> candidate.project().equals("greeting-service"))
                .findFirst()
                .orElseThrow();
            assertThat(run.name()).isEqualTo("greeting-service-demo");
            assertThat(run.state()).isEqualTo("completed");
            assertThat(run.config()).containsEntry("greeting", "hello");
            String greetingsCount = server.paths(run.id())
                .stream()
                .filter((path) -> path.startsWith("greetings/") && path.endsWith("/count"))
                .findFirst()
                .orElseThrow();
            assertThat(server.series(run.id(), greetingsCount).values().stream().mapToDouble((v) -> (Double) v).sum())
                .isEqualTo(1.0);
            // the request's path as Dalva's web UI can chart it: one series folder of
            // sorted tags, the URI's slashes as look-alikes, at most three segments
            assertThat(server.paths(run.id())).contains(
                    "http.server.requests/error=none,exception=none,method=GET,outcome=SUCCESS,status=200,uri=∕greeting/count");
            assertThat(server.paths(run.id())).allMatch((path) -> path.split("/", -1).length <= 3);
            assertThat(server.paths(run.id())).allMatch((path) -> path.startsWith("greetings")
                    || path.startsWith("http.server.requests") || path.startsWith("jvm.memory.used")
                    || path.startsWith("process.cpu.usage") || path.startsWith("system.cpu.usage"));
        }
    }

}
