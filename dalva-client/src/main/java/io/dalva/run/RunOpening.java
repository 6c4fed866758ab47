package io.dalva.run;

import io.dalva.client.Conflict;
import io.dalva.client.DalvaClient;
import io.dalva.client.DalvaConflictException;
import io.dalva.client.DalvaNotFoundException;
import io.dalva.client.DalvaUnreachableException;
import io.dalva.client.ProjectInfo;
import io.dalva.client.RunHandle;
import io.dalva.client.RunInfo;
import io.dalva.client.RunInit;
import io.dalva.client.RunPage;
import io.dalva.client.RunQuery;
import io.dalva.client.internal.Values;
import io.dalva.internal.logging.Log;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Opens a run on the server: creates, resumes or forks it, with the checks the server
 * does not make clearly. On resume it answers a bare 500 when the run does not exist or a
 * config key exists, so the run is looked up first and only the keys it lacks are sent.
 */
final class RunOpening {

    /** Logged under {@link DalvaRun}'s name, where users look for a run's messages. */
    private static final Log logger = Log.of(DalvaRun.class);

    private static final int PAGE_SIZE = 100;

    private RunOpening() {
    }

    /**
     * Checks the server's health, then opens the run.
     * @return the run, or {@code null} when the server is unreachable and the run may
     * start without it (not synchronous): it is opened when the server answers
     */
    static RunHandle atStart(DalvaClient client, RunInit init, boolean synchronous) {
        try {
            client.health();
            return init.resumeFrom() != null ? resume(client, init) : create(client, init);
        }
        catch (DalvaUnreachableException e) {
            if (synchronous) {
                throw e;
            }
            logger.warn("Dalva server {} is unreachable ({}): the run starts anyway, is created when the server "
                    + "answers, and its data is spooled meanwhile.", client.serverUrl(), e.getMessage());
            return null;
        }
    }

    /**
     * Creates, resumes or forks a run whose start was deferred (server unreachable at
     * start, or a replay); a resumed run must exist.
     */
    static RunHandle deferred(DalvaClient client, RunInit init) {
        if (init.resumeFrom() != null) {
            find(client, init.project(), init.resumeFrom());
        }
        return client.initRun(init);
    }

    private static RunHandle create(DalvaClient client, RunInit init) {
        RunHandle handle = client.initRun(init);
        if (init.forkFrom() == null) {
            logger.info("Run created: {}.", handle.runId());
        }
        else {
            logger.info("Run created: {} (fork of {}).", handle.runId(), init.forkFrom());
        }
        return handle;
    }

    private static RunHandle resume(DalvaClient client, RunInit init) {
        String resumeFrom = init.resumeFrom();
        RunInfo existing = find(client, init.project(), resumeFrom);
        Map<String, Object> stored = client.getConfig(existing.id());
        Map<String, Object> missing = new LinkedHashMap<>();
        List<Conflict> conflicts = new ArrayList<>();
        init.config().forEach((key, value) -> {
            if (!stored.containsKey(key)) {
                missing.put(key, value);
            }
            else if (!Values.sameValue(stored.get(key), value)) {
                conflicts.add(new Conflict(null, key, null, Conflict.Kind.CONFIG_EXISTS,
                        "config key '" + key + "' is " + stored.get(key) + " in run " + resumeFrom + ", not " + value));
            }
        });
        if (!conflicts.isEmpty()) {
            throw new DalvaConflictException("cannot resume run " + resumeFrom + ": "
                    + String.join("; ", conflicts.stream().map(Conflict::text).toList())
                    + " (remove the key first to change it)", conflicts);
        }
        RunHandle handle = client
            .initRun(RunInit.builder(init.project()).config(missing).resumeFrom(resumeFrom).build());
        logger.info("Run resumed: {}.", handle.runId());
        return handle;
    }

    /** The run {@code runId} of {@code project}, or {@link DalvaNotFoundException}. */
    private static RunInfo find(DalvaClient client, String project, String runId) {
        ProjectInfo projectInfo = client.listProjects()
            .stream()
            .filter(p -> p.name().equals(project))
            .findFirst()
            .orElseThrow(() -> notFound(project, runId));
        for (int offset = 0;; offset += PAGE_SIZE) {
            RunPage page = client.listRuns(RunQuery.builder()
                .projectId(projectInfo.id())
                .search(runId)
                .limit(PAGE_SIZE)
                .offset(offset)
                .build());
            for (RunInfo run : page.runs()) {
                if (run.runId().equals(runId) && run.projectId() == projectInfo.id()) {
                    return run;
                }
            }
            if (!page.hasMore() || page.runs().isEmpty()) {
                throw notFound(project, runId);
            }
        }
    }

    private static DalvaNotFoundException notFound(String project, String runId) {
        return new DalvaNotFoundException("run " + runId + " not found in project " + project);
    }

}
