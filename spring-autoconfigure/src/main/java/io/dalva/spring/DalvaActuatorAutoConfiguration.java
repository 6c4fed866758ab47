package io.dalva.spring;

import io.dalva.micrometer.DalvaMeterRegistry;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;

/**
 * The application's run in the actuator: an {@code info} contribution and a
 * {@code health} contribution named {@code dalva} (switched off with
 * {@code management.info.dalva.enabled} and {@code management.health.dalva.enabled},
 * which fall back to the {@code defaults} properties, as Spring Boot's own do). The
 * health contribution comes in one class per Spring Boot version, each used only when its
 * version's health API is on the classpath.
 */
@AutoConfiguration(after = DalvaMetricsExportAutoConfiguration.class)
@ConditionalOnBean({ DalvaRunLifecycle.class, DalvaMeterRegistry.class })
@ConditionalOnClass(name = "org.springframework.boot.actuate.info.InfoContributor")
public final class DalvaActuatorAutoConfiguration {

    DalvaActuatorAutoConfiguration() {
    }

    @Bean
    DalvaRunStatus dalvaRunStatus(DalvaMeterRegistry registry, DalvaRunLifecycle lifecycle, DalvaHttp http) {
        return new DalvaRunStatus(registry, lifecycle, http);
    }

    @Bean
    @Conditional(PropertyOrDefaultCondition.Info.class)
    DalvaInfoContributor dalvaInfoContributor(DalvaRunStatus status) {
        return new DalvaInfoContributor(status);
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.boot.actuate.health.HealthIndicator")
    @Conditional(PropertyOrDefaultCondition.Health.class)
    static class Boot3HealthConfiguration {

        @Bean
        DalvaHealthIndicator dalvaHealthIndicator(DalvaRunStatus status) {
            return new DalvaHealthIndicator(status);
        }

    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
    @Conditional(PropertyOrDefaultCondition.Health.class)
    static class Boot4HealthConfiguration {

        @Bean
        DalvaBoot4HealthIndicator dalvaHealthIndicator(DalvaRunStatus status) {
            return new DalvaBoot4HealthIndicator(status);
        }

    }

}
