package io.dalva.spring;

import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Spring Boot's rule for switching a feature on or off, as its
 * {@code OnMetricsExportEnabledCondition} applies it (a copy of the logic, since that
 * condition's package differs between Boot 3.5 and 4.0): the feature's own property wins
 * when it is set; otherwise the defaults property decides; otherwise the feature is on.
 */
abstract class PropertyOrDefaultCondition extends SpringBootCondition {

    private final String property;

    private final String defaultProperty;

    PropertyOrDefaultCondition(String property, String defaultProperty) {
        this.property = property;
        this.defaultProperty = defaultProperty;
    }

    @Override
    public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
        Environment environment = context.getEnvironment();
        if (environment.containsProperty(this.property)) {
            boolean enabled = environment.getProperty(this.property, Boolean.class, true);
            return new ConditionOutcome(enabled, this.property + " is " + enabled);
        }
        boolean enabled = Boolean.parseBoolean(environment.getProperty(this.defaultProperty, "true"));
        return new ConditionOutcome(enabled, this.property + " is not set and " + this.defaultProperty + " is "
                + environment.getProperty(this.defaultProperty, "not set"));
    }

    /**
     * Metrics export: {@code dalva.metrics.export.enabled}, else
     * {@code management.defaults.metrics.export.enabled}.
     */
    static final class MetricsExport extends PropertyOrDefaultCondition {

        MetricsExport() {
            super("dalva.metrics.export.enabled", "management.defaults.metrics.export.enabled");
        }

    }

    /**
     * The health contribution: {@code management.health.dalva.enabled}, else
     * {@code management.health.defaults.enabled}.
     */
    static final class Health extends PropertyOrDefaultCondition {

        Health() {
            super("management.health.dalva.enabled", "management.health.defaults.enabled");
        }

    }

    /**
     * The info contribution: {@code management.info.dalva.enabled}, else
     * {@code management.info.defaults.enabled}.
     */
    static final class Info extends PropertyOrDefaultCondition {

        Info() {
            super("management.info.dalva.enabled", "management.info.defaults.enabled");
        }

    }

}
