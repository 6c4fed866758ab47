package io.dalva.spring;

import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;

/**
 * The run's delivery in the actuator's {@code health} endpoint, on Spring Boot 3.5:
 * {@code UP}, or {@code UNKNOWN} while the server does not answer (which never takes the
 * application's health down), with the run, the last success and error and the backlog
 * (undelivered events) as details.
 */
final class DalvaHealthIndicator implements HealthIndicator {

    private final DalvaRunStatus status;

    DalvaHealthIndicator(DalvaRunStatus status) {
        this.status = status;
    }

    @Override
    public Health health() {
        Health.Builder builder = this.status.failing() ? Health.unknown() : Health.up();
        return builder.withDetails(this.status.health()).build();
    }

}
