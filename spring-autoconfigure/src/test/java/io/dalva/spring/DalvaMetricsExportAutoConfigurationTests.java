package io.dalva.spring;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.dalva.micrometer.DalvaConfig;
import io.dalva.micrometer.DalvaMeterRegistry;
import io.dalva.micrometer.PercentileWindow;
import io.dalva.micrometer.StepMode;
import io.dalva.run.DalvaRun;
import io.dalva.test.DalvaTestServer;
import io.dalva.test.StoredRun;
import io.micrometer.core.instrument.Clock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link DalvaMetricsExportAutoConfiguration}, in the manner of Spring Boot's
 * own export auto-configuration tests, against a real {@link DalvaTestServer}.
 */
@ExtendWith(OutputCaptureExtension.class)
class DalvaMetricsExportAutoConfigurationTests {

    private static DalvaTestServer server;

    private ApplicationContextRunner contextRunner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(DalvaMetricsExportAutoConfiguration.class));

    @BeforeAll
    static void startServer() {
        server = DalvaTestServer.start();
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    private ApplicationContextRunner withServer() {
        // a generous shutdown timeout: these tests read the run's state right after the
        // close
        return this.contextRunner.withPropertyValues("dalva.server-url=" + server.url(), "dalva.shutdown-timeout=30s");
    }

    @Test
    void withoutMetricsInfrastructureOneLineSaysWhyNoRunOpens(CapturedOutput output) {
        // a real application, so that Spring Boot's logging system carries the line
        SpringApplication application = new SpringApplication(WithoutActuatorConfiguration.class);
        application.setWebApplicationType(WebApplicationType.NONE);
        try (ConfigurableApplicationContext context = application.run("--dalva.server-url=" + server.url())) {
            assertThat(context.getBeanProvider(DalvaMeterRegistry.class).getIfAvailable()).isNull();
        }
        assertThat(output).containsOnlyOnce(DalvaMissingMetricsAutoConfiguration.MESSAGE);
    }

    @Test
    void backsOffWithoutAClock() {
        withServer().run((context) -> assertThat(context).doesNotHaveBean(DalvaMeterRegistry.class)
            .doesNotHaveBean(DalvaConfig.class));
    }

    @Test
    void autoConfiguresItsConfigAndMeterRegistry() {
        withServer().withUserConfiguration(BaseConfiguration.class)
            .run((context) -> assertThat(context).hasSingleBean(DalvaMeterRegistry.class)
                .hasSingleBean(DalvaConfig.class));
    }

    @Test
    void itsEnabledPropertyTurnsItOff() {
        withServer().withUserConfiguration(BaseConfiguration.class)
            .withPropertyValues("dalva.metrics.export.enabled=false")
            .run((context) -> assertThat(context).doesNotHaveBean(DalvaMeterRegistry.class)
                .doesNotHaveBean(DalvaConfig.class));
    }

    @Test
    void withoutItsEnabledPropertyTheDefaultsPropertyDecides() {
        withServer().withUserConfiguration(BaseConfiguration.class)
            .withPropertyValues("management.defaults.metrics.export.enabled=false")
            .run((context) -> assertThat(context).doesNotHaveBean(DalvaMeterRegistry.class)
                .doesNotHaveBean(DalvaConfig.class));
    }

    @Test
    void itsEnabledPropertyWinsOverTheDefaultsProperty() {
        withServer().withUserConfiguration(BaseConfiguration.class)
            .withPropertyValues("management.defaults.metrics.export.enabled=false", "dalva.metrics.export.enabled=true")
            .run((context) -> assertThat(context).hasSingleBean(DalvaMeterRegistry.class));
        withServer().withUserConfiguration(BaseConfiguration.class)
            .withPropertyValues("management.defaults.metrics.export.enabled=true", "dalva.metrics.export.enabled=false")
            .run((context) -> assertThat(context).doesNotHaveBean(DalvaMeterRegistry.class));
    }

    @Test
    void allowsCustomConfigToBeUsed() {
        withServer().withUserConfiguration(CustomConfigConfiguration.class)
            .run((context) -> assertThat(context).hasSingleBean(DalvaMeterRegistry.class)
                .hasSingleBean(DalvaConfig.class)
                .hasBean("customConfig")
                .getBean(DalvaMeterRegistry.class)
                .satisfies((registry) -> assertThat(Await.run(registry).project()).isEqualTo("custom-project")));
    }

    @Test
    void allowsCustomRegistryToBeUsed() {
        withServer().withUserConfiguration(CustomRegistryConfiguration.class)
            .run((context) -> assertThat(context).hasSingleBean(DalvaMeterRegistry.class)
                .hasBean("customRegistry")
                .hasSingleBean(DalvaConfig.class)
                .doesNotHaveBean(DalvaRunLifecycle.class));
    }

    @Test
    void stopsMeterRegistryWhenContextIsClosedAndCompletesTheRun() {
        withServer().withUserConfiguration(BaseConfiguration.class).run((context) -> {
            DalvaMeterRegistry registry = context.getBean(DalvaMeterRegistry.class);
            assertThat(registry.isClosed()).isFalse();
            long runId = Await.run(registry).id();
            assertThat(storedRun(runId).state()).isEqualTo("running");
            context.close();
            assertThat(registry.isClosed()).isTrue();
            assertThat(storedRun(runId).state()).isEqualTo("completed");
        });
    }

    @Test
    void spoolDirectoryPropertyHoldsTheRunsJournal(@TempDir Path spool) {
        withServer().withUserConfiguration(BaseConfiguration.class)
            .withPropertyValues("dalva.spool-directory=" + spool, "dalva.shutdown-timeout=7s")
            .run((context) -> {
                assertThat(context.getBean(DalvaConfig.class).shutdownTimeout()).hasSeconds(7);
                assertThat(Await.run(context.getBean(DalvaMeterRegistry.class)).spoolDirectory()).startsWith(spool);
            });
    }

    @Test
    void projectDefaultsToTheApplicationName() {
        withServer().withUserConfiguration(BaseConfiguration.class)
            .withPropertyValues("spring.application.name=orders-service")
            .run((context) -> assertThat(context.getBean(DalvaConfig.class).project()).isEqualTo("orders-service"));
    }

    @Test
    void projectDefaultsToApplicationWithoutAnApplicationName() {
        withServer().withUserConfiguration(BaseConfiguration.class)
            .run((context) -> assertThat(context.getBean(DalvaConfig.class).project()).isEqualTo("application"));
    }

    @Test
    void propertiesReachTheConfig() {
        withServer().withUserConfiguration(BaseConfiguration.class)
            .withPropertyValues("spring.application.name=orders-service", "dalva.project=shop",
                    "dalva.run.name=nightly", "dalva.metrics.export.step=30s", "dalva.connect-timeout=2s",
                    "dalva.read-timeout=7s", "dalva.call-timeout=9s", "dalva.headers.X-Team=ml",
                    "dalva.metrics.export.include=http.*,jvm.memory.*", "dalva.metrics.export.step-mode=manual",
                    "dalva.metrics.export.batch-size=500", "dalva.metrics.export.base-time-unit=milliseconds",
                    "dalva.metrics.export.exclude=jvm.gc.*", "dalva.metrics.export.percentiles=window")
            .run((context) -> {
                DalvaConfig config = context.getBean(DalvaConfig.class);
                assertThat(config.serverUrl()).isEqualTo(server.url());
                assertThat(config.project()).isEqualTo("shop");
                assertThat(config.runName()).isEqualTo("nightly");
                assertThat(config.step()).hasSeconds(30);
                assertThat(config.connectTimeout()).hasSeconds(2);
                assertThat(config.readTimeout()).hasSeconds(7);
                assertThat(config.callTimeout()).hasSeconds(9);
                assertThat(config.headers()).containsExactly(Map.entry("X-Team", "ml"));
                assertThat(config.stepMode()).isEqualTo(StepMode.MANUAL);
                assertThat(config.percentiles()).isEqualTo(PercentileWindow.WINDOW);
                assertThat(config.batchSize()).isEqualTo(500);
                assertThat(config.baseTimeUnit()).isEqualTo(TimeUnit.MILLISECONDS);
                assertThat(config.includeMeters()).containsExactly("http.*", "jvm.memory.*");
                assertThat(config.excludeMeters()).containsExactly("jvm.gc.*");
                assertThat(config.validate().isValid()).isTrue();
            });
    }

    @Test
    void runIsOpenedWithItsNameAndConfigWithoutSecrets() {
        withServer().withUserConfiguration(BaseConfiguration.class)
            .withPropertyValues("spring.application.name=orders-service", "dalva.run.name=nightly",
                    "dalva.run.config.learning-rate=0.01", "dalva.run.config.db.password=hunter2",
                    "dalva.run.config.api-key=abc123", "dalva.run.config.github.token=ghp_x",
                    "dalva.run.config.aws.credentials.id=AKIA", "dalva.run.config.db.url=postgres://app:pw@db:5432/x")
            .run((context) -> {
                StoredRun run = storedRun(Await.run(context.getBean(DalvaMeterRegistry.class)).id());
                assertThat(run.name()).isEqualTo("nightly");
                assertThat(run.project()).isEqualTo("orders-service");
                Map<String, Object> config = run.config();
                assertThat(config).containsEntry("learning-rate", "0.01")
                    .containsEntry("application.name", "orders-service")
                    .containsEntry("application.profiles", "default")
                    .containsEntry("java.version", System.getProperty("java.version"))
                    .containsEntry("db.password", "******")
                    .containsEntry("api-key", "******")
                    .containsEntry("github.token", "******")
                    .containsEntry("aws.credentials.id", "******")
                    .containsEntry("db.url", "postgres://app:******@db:5432/x")
                    .containsKeys("spring-boot.version", "micrometer.version", "host.name");
                assertThat(config.values()).doesNotContain("hunter2", "abc123", "ghp_x", "AKIA");
            });
    }

    @Test
    void extraHeadersAreSentWithEveryRequest(@TempDir Path spool) {
        server.clearRequests();
        // an empty spool: no recovery of other tests' runs sends requests meanwhile
        withServer().withUserConfiguration(BaseConfiguration.class)
            .withPropertyValues("dalva.headers.Authorization=Bearer abc", "dalva.headers.X-Team=ml",
                    "dalva.spool-directory=" + spool)
            .run((context) -> Await.run(context.getBean(DalvaMeterRegistry.class)));
        assertThat(server.requests()).hasSizeGreaterThanOrEqualTo(2).allSatisfy((request) -> {
            assertThat(request.header("Authorization")).isEqualTo("Bearer abc");
            assertThat(request.header("X-Team")).isEqualTo("ml");
        });
    }

    @Test
    void invalidServerUrlFailsTheStartNamingTheProperty() {
        assertStartFailsOn("dalva.server-url", "dalva.server-url=localhost:8000");
    }

    @Test
    void nonPositiveStepFailsTheStartNamingTheProperty() {
        assertStartFailsOn("dalva.metrics.export.step", "dalva.metrics.export.step=0s");
    }

    @Test
    void unknownPercentileWindowFailsTheStartNamingTheProperty() {
        withServer().withUserConfiguration(BaseConfiguration.class)
            .withPropertyValues("dalva.metrics.export.percentiles=hourly")
            .run((context) -> {
                assertThat(context).hasFailed();
                assertThat(context.getStartupFailure())
                    .hasStackTraceContaining("Failed to bind properties under 'dalva.metrics.export.percentiles'");
            });
    }

    @Test
    void nonPositiveShutdownTimeoutFailsTheStartNamingTheProperty() {
        assertStartFailsOn("dalva.shutdown-timeout", "dalva.shutdown-timeout=-1s");
    }

    @Test
    void closeWaitsForASlowServerAtMostTheShutdownTimeoutAndLeavesTheRestInTheSpool() {
        try {
            withServer().withUserConfiguration(BaseConfiguration.class)
                .withPropertyValues("dalva.project=slow-close", "dalva.shutdown-timeout=300ms",
                        "dalva.read-timeout=10s")
                .run((context) -> {
                    DalvaRun run = Await.run(context.getBean(DalvaMeterRegistry.class));
                    server.delayResponses(Duration.ofSeconds(3));
                    long start = System.nanoTime();
                    context.close();
                    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(2500));
                    assertThat(run.spoolDirectory()).exists();
                });
        }
        finally {
            server.delayResponses(Duration.ZERO);
        }
    }

    @Test
    void blankProjectFailsTheStartNamingTheProperty() {
        assertStartFailsOn("dalva.project", "dalva.project= ");
    }

    @Test
    void invalidHeaderFailsTheStartNamingTheProperty() {
        assertStartFailsOn("dalva.headers[x y]", "dalva.headers.[x y]=1");
    }

    @Test
    void runIsMarkedFailedWhenTheContextFailsToStart() {
        withServer().withUserConfiguration(FailingBeanConfiguration.class)
            .withPropertyValues("dalva.project=refresh-fails")
            .run((context) -> {
                assertThat(context).hasFailed();
                assertThat(server.runs()).filteredOn((run) -> run.project().equals("refresh-fails"))
                    .singleElement()
                    .satisfies((run) -> assertThat(run.state()).isEqualTo("failed"));
            });
    }

    private void assertStartFailsOn(String property, String... values) {
        withServer().withUserConfiguration(BaseConfiguration.class).withPropertyValues(values).run((context) -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause()
                .isInstanceOf(InvalidConfigurationPropertyValueException.class)
                .satisfies((ex) -> assertThat(((InvalidConfigurationPropertyValueException) ex).getName())
                    .isEqualTo(property));
        });
    }

    private static StoredRun storedRun(long id) {
        return server.run(id).orElseThrow();
    }

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration({ DalvaMetricsExportAutoConfiguration.class, DalvaActuatorAutoConfiguration.class,
            DalvaMissingMetricsAutoConfiguration.class })
    static class WithoutActuatorConfiguration {

    }

    @Configuration(proxyBeanMethods = false)
    static class BaseConfiguration {

        @Bean
        Clock clock() {
            return Clock.SYSTEM;
        }

    }

    @Configuration(proxyBeanMethods = false)
    @Import(BaseConfiguration.class)
    static class CustomConfigConfiguration {

        @Bean
        DalvaConfig customConfig() {
            return (key) -> switch (key) {
                case "dalva.serverUrl" -> server.url();
                case "dalva.project" -> "custom-project";
                default -> null;
            };
        }

    }

    @Configuration(proxyBeanMethods = false)
    @Import(BaseConfiguration.class)
    static class CustomRegistryConfiguration {

        @Bean
        DalvaMeterRegistry customRegistry(DalvaConfig config, Clock clock) {
            return new DalvaMeterRegistry(config, clock);
        }

    }

    @Configuration(proxyBeanMethods = false)
    @Import(BaseConfiguration.class)
    static class FailingBeanConfiguration {

        @Bean
        Object failsAfterTheRegistry(DalvaMeterRegistry registry) {
            throw new IllegalStateException("cannot start");
        }

    }

}
