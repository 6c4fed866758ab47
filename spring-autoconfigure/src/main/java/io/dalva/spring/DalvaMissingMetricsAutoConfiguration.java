package io.dalva.spring;

import io.dalva.internal.logging.Log;
import io.micrometer.core.instrument.Clock;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Conditional;

/**
 * Says why no run opens when the application has the auto-configuration but no Micrometer
 * infrastructure (no {@link Clock} bean: Spring Boot's actuator is missing): one INFO
 * line at start.
 */
@AutoConfiguration(afterName = {
        // Spring Boot 3.5
        "org.springframework.boot.actuate.autoconfigure.metrics.MetricsAutoConfiguration",
        // Spring Boot 4.0
        "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration" })
@ConditionalOnMissingBean(Clock.class)
@Conditional(PropertyOrDefaultCondition.MetricsExport.class)
public final class DalvaMissingMetricsAutoConfiguration {

    static final String MESSAGE = "No Dalva run opens: the application has no Micrometer MeterRegistry"
            + " infrastructure (no Clock bean); add spring-boot-starter-actuator, or depend on"
            + " io.dalva:dalva-spring-boot-starter instead of the auto-configuration alone.";

    DalvaMissingMetricsAutoConfiguration() {
        Log.of(DalvaMissingMetricsAutoConfiguration.class).info(MESSAGE);
    }

}
