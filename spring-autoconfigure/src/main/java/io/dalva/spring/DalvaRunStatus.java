package io.dalva.spring;

import java.util.LinkedHashMap;
import java.util.Map;

import io.dalva.micrometer.DalvaMeterRegistry;
import io.dalva.run.DalvaRun;
import io.dalva.run.DeliveryStatus;

/**
 * What the actuator shows about the application's run, whichever Spring Boot version
 * shows it: the run (project, id, name, server, address in Dalva's UI, state) for the
 * {@code info} endpoint, the same plus how delivery goes for the {@code health} endpoint.
 */
final class DalvaRunStatus {

    private final DalvaMeterRegistry registry;

    private final DalvaRunLifecycle lifecycle;

    private final DalvaHttp http;

    DalvaRunStatus(DalvaMeterRegistry registry, DalvaRunLifecycle lifecycle, DalvaHttp http) {
        this.registry = registry;
        this.lifecycle = lifecycle;
        this.http = http;
    }

    /** The run, for the {@code info} endpoint. */
    Map<String, Object> info() {
        Map<String, Object> info = new LinkedHashMap<>();
        DalvaRun run = this.registry.run();
        info.put("server", this.http.client().serverUrl());
        if (run != null) {
            info.put("project", run.project());
            info.put("run", run.runId());
            info.put("name", run.name());
            info.put("ui", DalvaRunLifecycle.uiUrl(run));
        }
        info.put("state", this.lifecycle.state());
        return info;
    }

    /**
     * Whether the server did not answer the latest request (the health contribution then
     * says {@code UNKNOWN}, which never takes the application's health down).
     */
    boolean failing() {
        return this.http.status().failing();
    }

    /** The run and its delivery, for the {@code health} endpoint. */
    Map<String, Object> health() {
        Map<String, Object> health = info();
        health.putAll(this.http.status().details());
        DalvaRun run = this.registry.run();
        if (run != null) {
            DeliveryStatus delivery = run.deliveryStatus();
            health.put("backlogEvents", delivery.undeliveredEvents());
            health.put("backlogValues", delivery.undeliveredValues());
            health.put("backlogOldestSeconds", delivery.oldestUndeliveredWait().toSeconds());
        }
        if (run != null && run.spoolDirectory() != null) {
            health.put("spool", run.spoolDirectory().toString());
        }
        return health;
    }

}
