package io.dalva.spring;

import java.util.Map;

import io.dalva.client.DalvaClient;
import io.dalva.micrometer.DalvaConfig;
import io.dalva.micrometer.DalvaMeterRegistry;
import io.micrometer.core.instrument.Clock;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * Auto-configuration that exports the application's Micrometer meters to one Dalva run
 * per application lifecycle.
 * <p>
 * Active when a Micrometer {@link Clock} bean exists (Spring Boot's actuator defines it)
 * and neither {@code dalva.metrics.export.enabled} nor
 * {@code management.defaults.metrics.export.enabled} is {@code false}. A
 * {@link DalvaConfig} or {@link DalvaMeterRegistry} bean of the application's own
 * replaces the one defined here.
 * <p>
 * The run opens when the {@link DalvaMeterRegistry} bean is created, during the refresh
 * of the application context. It is finished when the context closes, after a final
 * publish, and marked failed instead when the application fails to start or exits because
 * of a failure (see {@link DalvaRunLifecycle}).
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
@ConditionalOnBooleanProperty(name = { "dalva.metrics.export.enabled", "management.defaults.metrics.export.enabled" },
        matchIfMissing = true)
@EnableConfigurationProperties(DalvaProperties.class)
public final class DalvaMetricsExportAutoConfiguration {

    /**
     * Project used when neither {@code dalva.project} nor {@code spring.application.name}
     * is set.
     */
    static final String DEFAULT_PROJECT = "application";

    DalvaMetricsExportAutoConfiguration() {
    }

    @Bean
    @ConditionalOnMissingBean
    DalvaConfig dalvaConfig(DalvaProperties properties, Environment environment) {
        String applicationName = environment.getProperty("spring.application.name", DEFAULT_PROJECT);
        String project = (properties.getProject() != null) ? properties.getProject() : applicationName;
        Map<String, String> userConfig = properties.getRun().getConfig();
        return new DalvaPropertiesConfigAdapter(properties, project,
                (properties.getRun().getResumeFrom() != null) ? ApplicationRunConfig.forResume(userConfig)
                        : ApplicationRunConfig.of(userConfig, applicationName, environment));
    }

    @Bean
    @ConditionalOnMissingBean(DalvaMeterRegistry.class)
    DalvaRunLifecycle dalvaRunLifecycle(DalvaProperties properties) {
        return new DalvaRunLifecycle(properties.getShutdownTimeout());
    }

    @Bean(destroyMethod = "") // closed by DalvaRunLifecycle, which knows whether the
                              // application failed
    @ConditionalOnMissingBean
    @SuppressWarnings("deprecation") // Micrometer deprecated the timeouts of push
                                     // registries, not ours
    DalvaMeterRegistry dalvaMeterRegistry(DalvaConfig config, Clock clock, DalvaProperties properties,
            DalvaRunLifecycle lifecycle) {
        DalvaClient.Builder client = DalvaClient.builder()
            .serverUrl(config.serverUrl())
            .connectTimeout(config.connectTimeout())
            .readTimeout(config.readTimeout());
        properties.getHeaders().forEach(client::header);
        DalvaClient dalvaClient = lifecycle.manage(client.build());
        return lifecycle.manage(DalvaMeterRegistry.builder(config).clock(clock).client(dalvaClient).build());
    }

}
