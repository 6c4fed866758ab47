package io.dalva.spring;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.BinaryOperator;

import io.dalva.client.internal.Defaults;
import io.dalva.micrometer.DalvaConfig;
import io.dalva.micrometer.DalvaMeterRegistry;
import io.micrometer.core.instrument.Clock;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.endpoint.SanitizableData;
import org.springframework.boot.actuate.endpoint.SanitizingFunction;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * Auto-configuration that exports the application's Micrometer meters to one Dalva run
 * per application start.
 * <p>
 * Active when a Micrometer {@link Clock} bean exists (Spring Boot's actuator defines it)
 * and metrics export is on by Spring Boot's rule: {@code dalva.metrics.export.enabled}
 * when set, else {@code management.defaults.metrics.export.enabled}, else on. A
 * {@link DalvaConfig} or {@link DalvaMeterRegistry} bean of the application's own
 * replaces the one defined here.
 * <p>
 * The run opens in the background once the context is refreshed and ends when the context
 * closes: see {@link DalvaRunLifecycle}.
 * <p>
 * Ordered with class names, not classes, because Spring Boot 4 moved the metrics
 * auto-configurations to another package: this one jar runs on Spring Boot 3.5 and 4.0.
 */
@AutoConfiguration(beforeName = {
        // Spring Boot 3.5
        "org.springframework.boot.actuate.autoconfigure.metrics.CompositeMeterRegistryAutoConfiguration",
        "org.springframework.boot.actuate.autoconfigure.metrics.export.simple.SimpleMetricsExportAutoConfiguration",
        // Spring Boot 4.0
        "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration" },
        afterName = {
                // Spring Boot 3.5
                "org.springframework.boot.actuate.autoconfigure.metrics.MetricsAutoConfiguration",
                // Spring Boot 4.0
                "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration" })
@ConditionalOnBean(Clock.class)
@Conditional(PropertyOrDefaultCondition.MetricsExport.class)
@EnableConfigurationProperties(DalvaProperties.class)
public final class DalvaMetricsExportAutoConfiguration {

    /**
     * Project used when neither {@code dalva.project} nor {@code spring.application.name}
     * is set.
     */
    static final String DEFAULT_PROJECT = "application";

    /** The most the recovery of a run left in the spool may take. */
    private static final Duration RECOVERY_TIMEOUT = Duration.ofMinutes(1);

    DalvaMetricsExportAutoConfiguration() {
    }

    @Bean
    @ConditionalOnMissingBean
    RunConfigSanitizer dalvaRunConfigSanitizer(Environment environment) {
        return RunConfigSanitizer.of(environment, List.of());
    }

    @Bean
    RunIdentity dalvaRunIdentity(DalvaProperties properties, Environment environment, RunConfigSanitizer sanitizer) {
        return new RunIdentity(applicationName(environment), environment, properties, sanitizer);
    }

    @Bean
    @ConditionalOnMissingBean
    DalvaConfig dalvaConfig(DalvaProperties properties, Environment environment, RunIdentity identity) {
        String project = (properties.getProject() != null) ? properties.getProject() : applicationName(environment);
        return new DalvaPropertiesConfigAdapter(properties, project, identity);
    }

    @Bean
    DalvaHttp dalvaHttp(DalvaProperties properties, DalvaConfig config) {
        return new DalvaHttp(properties, config.serverUrl());
    }

    @Bean
    @ConditionalOnMissingBean(DalvaMeterRegistry.class)
    DalvaRunLifecycle dalvaRunLifecycle(DalvaProperties properties, DalvaConfig config, DalvaHttp http,
            RunIdentity identity) {
        Path spool = (properties.getSpoolDirectory() != null) ? properties.getSpoolDirectory()
                : Defaults.spoolDirectory();
        SpoolRecovery recovery = new SpoolRecovery(spool, http.client().serverUrl(), http.client(), RECOVERY_TIMEOUT);
        return new DalvaRunLifecycle(http, (config instanceof DalvaPropertiesConfigAdapter adapter) ? adapter : null,
                identity, recovery, properties.getShutdownTimeout());
    }

    // closed by DalvaRunLifecycle, which knows whether the application failed
    @Bean(destroyMethod = "")
    @ConditionalOnMissingBean
    DalvaMeterRegistry dalvaMeterRegistry(DalvaConfig config, Clock clock, DalvaHttp http,
            DalvaRunLifecycle lifecycle) {
        return lifecycle.manage(DalvaMeterRegistry.builder(config).clock(clock).client(http.client()).build());
    }

    private static String applicationName(Environment environment) {
        return environment.getProperty("spring.application.name", DEFAULT_PROJECT);
    }

    /**
     * With the actuator: the application's {@link SanitizingFunction} beans apply to the
     * run's configuration too.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.boot.actuate.endpoint.SanitizingFunction")
    static class SanitizingFunctionsConfiguration {

        @Bean
        @ConditionalOnMissingBean
        RunConfigSanitizer dalvaRunConfigSanitizer(Environment environment,
                ObjectProvider<SanitizingFunction> functions) {
            List<BinaryOperator<String>> adapted = functions.orderedStream()
                .map(SanitizingFunctionsConfiguration::adapt)
                .toList();
            return RunConfigSanitizer.of(environment, adapted);
        }

        private static BinaryOperator<String> adapt(SanitizingFunction function) {
            return (key, value) -> {
                Object sanitized = function.applyUnlessFiltered(new SanitizableData(null, key, value)).getValue();
                return (sanitized != null) ? sanitized.toString() : null;
            };
        }

    }

}
