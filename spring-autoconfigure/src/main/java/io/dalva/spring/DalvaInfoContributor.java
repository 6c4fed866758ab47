package io.dalva.spring;

import org.springframework.boot.actuate.info.Info;
import org.springframework.boot.actuate.info.InfoContributor;

/**
 * Adds the application's run, under {@code dalva}, to the actuator's {@code info}
 * endpoint: project, run id, name, server, its address in Dalva's UI and its state.
 * Switched off with {@code management.info.dalva.enabled=false}.
 */
final class DalvaInfoContributor implements InfoContributor {

    private final DalvaRunStatus status;

    DalvaInfoContributor(DalvaRunStatus status) {
        this.status = status;
    }

    @Override
    public void contribute(Info.Builder builder) {
        builder.withDetail("dalva", this.status.info());
    }

}
