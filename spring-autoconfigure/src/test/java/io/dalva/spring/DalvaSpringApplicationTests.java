package io.dalva.spring;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.SortedMap;
import java.util.function.BooleanSupplier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dalva.micrometer.DalvaMeterRegistry;
import io.dalva.run.DalvaRun;
import io.dalva.test.DalvaTestServer;
import io.dalva.test.StoredRun;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.CommandLineRunner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.actuate.endpoint.SanitizingFunction;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * Real {@link SpringApplication}s, auto-configured from the classpath as a user's would
 * be, started and stopped against a {@link DalvaTestServer}.
 */
@ExtendWith(OutputCaptureExtension.class)
class DalvaSpringApplicationTests {

    /** These tests read the run's state right after the application stops. */
    private static final String LONG_SHUTDOWN_TIMEOUT = "--dalva.shutdown-timeout=30s";

    private static DalvaTestServer server;

    @BeforeAll
    static void startServer() {
        server = DalvaTestServer.start();
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @Test
    void webApplicationRunIsOpenedOnStartFedAtEveryStepAndCompletedOnClose() throws Exception {
        SpringApplication application = new SpringApplication(WebApplication.class);
        long runId;
        String counterPath;
        try (ConfigurableApplicationContext context = application.run("--server.port=0",
                "--spring.application.name=greeting-service", "--spring.profiles.active=staging",
                "--dalva.server-url=" + server.url(), LONG_SHUTDOWN_TIMEOUT, "--dalva.run.name=web-run",
                "--dalva.metrics.export.step=1s", "--dalva.run.config.batch-size=32",
                "--dalva.run.config.db.password=hunter2")) {
            // ordered before Boot's simple and composite registries: ours is the only one
            assertThat(context.getBeansOfType(MeterRegistry.class).values()).singleElement()
                .isInstanceOf(DalvaMeterRegistry.class);
            runId = Await.run(context.getBean(DalvaMeterRegistry.class)).id();
            StoredRun run = server.run(runId).orElseThrow();
            assertThat(run.state()).isEqualTo("running");
            assertThat(run.project()).isEqualTo("greeting-service");
            assertThat(run.name()).isEqualTo("web-run");
            assertThat(run.config()).containsEntry("batch-size", "32")
                .containsEntry("db.password", "******")
                .containsEntry("application.name", "greeting-service")
                .containsEntry("application.profiles", "staging")
                .containsKeys("spring-boot.version", "micrometer.version", "java.version", "host.name");
            assertThat(run.config().values()).doesNotContain("hunter2");

            int port = context.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
            HttpClient http = HttpClient.newHttpClient();
            for (int i = 0; i < 3; i++) {
                HttpResponse<String> response = http.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/greeting")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(response.body()).isEqualTo("hello");
            }
            counterPath = awaitPath(runId, "greetings");
            await(() -> server.series(runId, counterPath).size() >= 2);
        }
        StoredRun finished = server.run(runId).orElseThrow();
        assertThat(finished.state()).isEqualTo("completed");
        SortedMap<Integer, Object> counts = server.series(runId, counterPath);
        assertThat(counts.keySet()).first().isEqualTo(0);
        assertThat(counts.values()).allSatisfy((value) -> assertThat(value).isInstanceOf(Double.class));
        assertThat(counts.values().stream().mapToDouble((value) -> (Double) value).sum()).isEqualTo(3.0);
        assertThat(server.attributeType(runId, counterPath)).isEqualTo("float_series");
    }

    @Test
    void aRestartOnAnotherHostResumesTheRunAndItsStepsContinue() {
        String[] first = { "--spring.application.name=resumable", "--dalva.server-url=" + server.url(),
                LONG_SHUTDOWN_TIMEOUT, "--dalva.metrics.export.step=1s", "--dalva.run.config.model=resnet" };
        long runId;
        String runName;
        try (ConfigurableApplicationContext context = startPlain(first)) {
            runId = Await.run(context.getBean(DalvaMeterRegistry.class)).id();
            runName = Await.run(context.getBean(DalvaMeterRegistry.class)).runId();
            await(() -> !server.paths(runId).isEmpty());
        }
        int lastStepOfFirstStart = lastStep(runId);
        // what describes the application changes (as a host name does on a restarted
        // pod): the
        // resume must not send it, or the server would refuse the changed keys
        try (ConfigurableApplicationContext context = startPlain(first[0], first[1], first[2], first[3], first[4],
                "--spring.profiles.active=other-host", "--dalva.run.resume-from=" + runName)) {
            assertThat(Await.run(context.getBean(DalvaMeterRegistry.class)).id()).isEqualTo(runId);
            await(() -> lastStep(runId) > lastStepOfFirstStart);
        }
        assertThat(runsOf("resumable")).singleElement().satisfies((run) -> {
            assertThat(run.state()).isEqualTo("completed");
            assertThat(run.config()).containsEntry("model", "resnet").containsEntry("application.profiles", "default");
        });
    }

    @Test
    void runIsMarkedFailedWhenTheApplicationFailsToStart() {
        SpringApplication application = new SpringApplication(FailingApplication.class);
        application.setWebApplicationType(WebApplicationType.NONE);
        assertThatIllegalStateException()
            .isThrownBy(() -> application.run("--spring.application.name=failing-start",
                    "--dalva.server-url=" + server.url(), LONG_SHUTDOWN_TIMEOUT))
            .satisfies((ex) -> assertThat(NestedExceptionUtils.getMostSpecificCause(ex)).hasMessage("cannot start"));
        assertThat(runsOf("failing-start")).singleElement()
            .satisfies((run) -> assertThat(run.state()).isEqualTo("failed"));
    }

    @Test
    void runIsMarkedFailedWhenTheApplicationExitsWithAnErrorCode() {
        SpringApplication application = new SpringApplication(PlainApplication.class);
        application.setWebApplicationType(WebApplicationType.NONE);
        ConfigurableApplicationContext context = application.run("--spring.application.name=exit-code",
                "--dalva.server-url=" + server.url(), LONG_SHUTDOWN_TIMEOUT);
        assertThat(SpringApplication.exit(context, () -> 3)).isEqualTo(3);
        assertThat(runsOf("exit-code")).singleElement().satisfies((run) -> assertThat(run.state()).isEqualTo("failed"));
    }

    @Test
    void applicationStartsWithTheServerDownAndItsRunOpensWhenTheServerIsBack() {
        try (DalvaTestServer down = DalvaTestServer.start()) {
            down.stop();
            SpringApplication application = new SpringApplication(PlainApplication.class);
            application.setWebApplicationType(WebApplicationType.NONE);
            try (ConfigurableApplicationContext context = application.run("--spring.application.name=server-late",
                    "--dalva.server-url=" + down.url(), LONG_SHUTDOWN_TIMEOUT, "--dalva.metrics.export.step=1s")) {
                // the run opens in the background: it may exist already, but not on the
                // server
                DalvaRun run = context.getBean(DalvaMeterRegistry.class).run();
                assertThat(run != null ? run.runId() : null).as("the run's id while the server is down").isNull();
                down.restart();
                await(() -> !down.runs().isEmpty() && !down.paths(down.runs().get(0).id()).isEmpty());
            }
            assertThat(down.runs()).singleElement().satisfies((run) -> {
                assertThat(run.project()).isEqualTo("server-late");
                assertThat(run.state()).isEqualTo("completed");
            });
        }
    }

    @Test
    void noRunIsOpenedWhenDefaultsDisableMetricsExport() {
        SpringApplication application = new SpringApplication(PlainApplication.class);
        application.setWebApplicationType(WebApplicationType.NONE);
        try (ConfigurableApplicationContext context = application.run("--spring.application.name=export-off",
                "--dalva.server-url=" + server.url(), LONG_SHUTDOWN_TIMEOUT,
                "--management.defaults.metrics.export.enabled=false")) {
            assertThat(context.getBeanProvider(DalvaMeterRegistry.class).getIfAvailable()).isNull();
            assertThat(context.getBean(MeterRegistry.class)).isNotNull();
        }
        assertThat(runsOf("export-off")).isEmpty();
    }

    @Test
    void theRunIsNamedAfterTheApplicationAndItsInstanceAndSecretsStayOut(CapturedOutput output) throws Exception {
        SpringApplication application = new SpringApplication(WebApplication.class, SanitizingConfiguration.class);
        String runName;
        try (ConfigurableApplicationContext context = application.run("--server.port=0",
                "--spring.application.name=identity", "--dalva.server-url=" + server.url(), LONG_SHUTDOWN_TIMEOUT,
                "--app.datasource.password=correct-horse", "--dalva.run.config.db.pwd=hunter2",
                "--dalva.run.config.jdbc=jdbc:postgresql://db/x?user=app&password=s3cr3t",
                "--dalva.run.config.auth=Bearer eyJhbGciOi.x.y", "--dalva.run.config.monkey=banana",
                "--dalva.run.config.note=correct-horse", "--dalva.run.config.customer=ACME")) {
            int port = context.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
            StoredRun run = server.run(Await.run(context.getBean(DalvaMeterRegistry.class)).id()).orElseThrow();
            assertThat(run.name()).startsWith("identity@").endsWith(":" + port);
            assertThat(run.config()).containsEntry("server.port", String.valueOf(port))
                .containsEntry("process.pid", String.valueOf(ProcessHandle.current().pid()))
                .containsKeys("host.name", "spring-boot.version", "java.version")
                .containsEntry("db.pwd", "******")
                .containsEntry("jdbc", "jdbc:postgresql://db/x?user=app&password=******")
                .containsEntry("auth", "Bearer ******")
                .containsEntry("monkey", "banana")
                .containsEntry("note", "******")
                .containsEntry("customer", "<hidden>");
            assertThat(run.config().values()).doesNotContain("hunter2", "correct-horse", "ACME");
            Await.until(() -> output.getOut().contains("is open: " + server.url() + "/runs/" + run.id() + "."));
            runName = run.runId();
        }
        assertThat(output.getOut()).contains("Dalva run " + runName + " ended completed; every step was delivered.");
    }

    @Test
    void theActuatorShowsTheRunAndItsDeliveryWithoutEverGoingDown() throws Exception {
        try (DalvaTestServer own = DalvaTestServer.start()) {
            SpringApplication application = new SpringApplication(WebApplication.class);
            try (ConfigurableApplicationContext context = application.run("--server.port=0",
                    "--spring.application.name=actuated", "--dalva.server-url=" + own.url(),
                    "--dalva.shutdown-timeout=1s", "--dalva.metrics.export.step=500ms",
                    "--management.endpoints.web.exposure.include=info,health",
                    "--management.endpoint.health.show-details=always", "--dalva.connect-timeout=500ms")) {
                int port = context.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
                DalvaRun run = Await.run(context.getBean(DalvaMeterRegistry.class));
                JsonNode info = get(port, "/actuator/info").get("dalva");
                assertThat(info.get("project").asText()).isEqualTo("actuated");
                assertThat(info.get("run").asText()).isEqualTo(run.runId());
                assertThat(info.get("server").asText()).startsWith(own.url());
                assertThat(info.get("ui").asText()).endsWith("/runs/" + run.id());
                assertThat(info.get("state").asText()).isEqualTo("running");
                JsonNode health = get(port, "/actuator/health");
                assertThat(health.at("/components/dalva/status").asText()).isEqualTo("UP");
                assertThat(health.at("/components/dalva/details/lastSuccess").asText()).isNotEqualTo("none");
                own.stop();
                Await.until(
                        () -> get(port, "/actuator/health").at("/components/dalva/status").asText().equals("UNKNOWN"));
                Await.until(
                        () -> get(port, "/actuator/health").at("/components/dalva/details/backlogEvents").asLong() > 0);
                health = get(port, "/actuator/health");
                assertThat(health.get("status").asText()).isEqualTo("UP");
                assertThat(health.at("/components/dalva/details/lastError").asText()).isNotBlank();
                assertThat(health.at("/components/dalva/details/consecutiveFailures").asLong()).isPositive();
            }
        }
    }

    @Test
    void aFailedRunSaysWhy() {
        SpringApplication application = new SpringApplication(FailingApplication.class);
        application.setWebApplicationType(WebApplicationType.NONE);
        assertThatIllegalStateException().isThrownBy(() -> application.run("--spring.application.name=failing-why",
                "--dalva.server-url=" + server.url(), LONG_SHUTDOWN_TIMEOUT));
        assertThat(runsOf("failing-why")).singleElement().satisfies((run) -> {
            assertThat(run.state()).isEqualTo("failed");
            assertThat(run.config()).containsEntry("failure/exception", "java.lang.IllegalStateException")
                .containsEntry("failure/message", "cannot start");
        });
    }

    private static JsonNode get(int port, String path) {
        try {
            HttpResponse<String> response = HttpClient.newHttpClient()
                .send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                        HttpResponse.BodyHandlers.ofString());
            return new ObjectMapper().readTree(response.body());
        }
        catch (Exception ex) {
            throw new IllegalStateException(ex);
        }
    }

    private static ConfigurableApplicationContext startPlain(String... args) {
        SpringApplication application = new SpringApplication(PlainApplication.class);
        application.setWebApplicationType(WebApplicationType.NONE);
        return application.run(args);
    }

    private static int lastStep(long runId) {
        return server.paths(runId)
            .stream()
            .map((path) -> server.series(runId, path))
            .filter((series) -> !series.isEmpty())
            .mapToInt(SortedMap::lastKey)
            .max()
            .orElse(-1);
    }

    private static List<StoredRun> runsOf(String project) {
        return server.runs().stream().filter((run) -> run.project().equals(project)).toList();
    }

    private static String awaitPath(long runId, String meterName) {
        await(() -> server.paths(runId).stream().anyMatch((path) -> isCountOf(path, meterName)));
        return server.paths(runId).stream().filter((path) -> isCountOf(path, meterName)).findFirst().orElseThrow();
    }

    private static boolean isCountOf(String path, String meterName) {
        return path.startsWith(meterName + "/") && path.endsWith("/count");
    }

    private static void await(BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition met within 20 s").isLessThan(deadline);
            try {
                Thread.sleep(50);
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(ex);
            }
        }
    }

    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    static class PlainApplication {

    }

    @Configuration(proxyBeanMethods = false)
    @Import({ PlainApplication.class, GreetingController.class })
    static class WebApplication {

        @Bean
        Counter greetings(MeterRegistry registry) {
            return Counter.builder("greetings").register(registry);
        }

    }

    @RestController
    static class GreetingController {

        private final Counter greetings;

        GreetingController(Counter greetings) {
            this.greetings = greetings;
        }

        @GetMapping("/greeting")
        String greeting() {
            this.greetings.increment();
            return "hello";
        }

    }

    @Configuration(proxyBeanMethods = false)
    static class SanitizingConfiguration {

        @Bean
        SanitizingFunction hideCustomers() {
            return (data) -> data.getKey().equals("customer") ? data.withValue("<hidden>") : data;
        }

    }

    @Configuration(proxyBeanMethods = false)
    @Import(PlainApplication.class)
    static class FailingApplication {

        @Bean
        CommandLineRunner failingRunner() {
            return (args) -> {
                throw new IllegalStateException("cannot start");
            };
        }

    }

}
