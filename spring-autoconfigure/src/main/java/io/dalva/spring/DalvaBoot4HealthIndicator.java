package io.dalva.spring;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * The run's delivery in the actuator's {@code health} endpoint, on Spring Boot 4.0 (whose
 * health API moved to {@code org.springframework.boot.health.contributor}): the same as
 * {@link DalvaHealthIndicator}.
 */
final class DalvaBoot4HealthIndicator implements HealthIndicator {

    private final DalvaRunStatus status;

    DalvaBoot4HealthIndicator(DalvaRunStatus status) {
        this.status = status;
    }

    @Override
    public Health health() {
        Health.Builder builder = this.status.failing() ? Health.unknown() : Health.up();
        return builder.withDetails(this.status.health()).build();
    }

}
