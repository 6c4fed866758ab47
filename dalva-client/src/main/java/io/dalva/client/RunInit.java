package io.dalva.client;

import io.dalva.client.internal.Values;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What {@link DalvaClient#initRun(RunInit)} sends: a new run, a resumed one
 * ({@code resumeFrom}) or a fork ({@code forkFrom}). The config is validated and
 * flattened when the value is created.
 *
 * <p>
 * This is the raw endpoint: on resume the server fails with a bare 500 when the run does
 * not exist or a config key exists already. {@link io.dalva.run.DalvaRun} checks both
 * first.
 *
 * @param project the project name (created on first use)
 * @param name the run name, or {@code null}
 * @param config the configuration, flattened (nested keys joined with {@code /}); empty
 * for none
 * @param resumeFrom the run id (like {@code "DEM-7"}) to resume, or {@code null}
 * @param forkFrom the run id to fork, or {@code null}
 * @param copyTablesOnFork on fork: {@code null} or empty for no tables, a list of table
 * database ids to copy those
 * @param copyAllTablesOnFork on fork: copy every table of the source run
 */
public record RunInit(String project, String name, Map<String, Object> config, String resumeFrom, String forkFrom,
        List<Long> copyTablesOnFork, boolean copyAllTablesOnFork) {

    public RunInit {
        if (project == null || project.isBlank()) {
            throw new IllegalArgumentException("project must not be null or blank");
        }
        if (resumeFrom != null && forkFrom != null) {
            throw new IllegalArgumentException("a run is either resumed (resumeFrom) or forked (forkFrom), not both");
        }
        config = Values.flattenConfig(config == null ? Map.of() : config);
        copyTablesOnFork = copyTablesOnFork == null ? List.of() : List.copyOf(copyTablesOnFork);
    }

    /** A builder for a run of {@code project}. */
    public static Builder builder(String project) {
        return new Builder(project);
    }

    /** Builds a {@link RunInit}. */
    public static final class Builder {

        private final String project;

        private String name;

        private Map<String, ?> config = Map.of();

        private String resumeFrom;

        private String forkFrom;

        private List<Long> copyTablesOnFork = List.of();

        private boolean copyAllTablesOnFork;

        private Builder(String project) {
            this.project = project;
        }

        public Builder name(String name) {
            this.name = name;
            return this;
        }

        public Builder config(Map<String, ?> config) {
            this.config = Objects.requireNonNull(config, "config");
            return this;
        }

        public Builder resumeFrom(String runId) {
            this.resumeFrom = runId;
            return this;
        }

        public Builder forkFrom(String runId) {
            this.forkFrom = runId;
            return this;
        }

        /** On fork, copy every table of the source run. */
        public Builder copyAllTablesOnFork(boolean copy) {
            this.copyAllTablesOnFork = copy;
            return this;
        }

        /** On fork, copy these tables (database ids) of the source run. */
        public Builder copyTablesOnFork(List<Long> tableIds) {
            this.copyTablesOnFork = List.copyOf(tableIds);
            return this;
        }

        @SuppressWarnings("unchecked")
        public RunInit build() {
            return new RunInit(project, name, (Map<String, Object>) config, resumeFrom, forkFrom, copyTablesOnFork,
                    copyAllTablesOnFork);
        }

    }
}
