package io.dalva.client;

import java.util.List;

/**
 * Which runs {@link DalvaClient#listRuns(RunQuery)} returns. Unset fields are not sent,
 * so the server's defaults apply (all runs, newest first, 100 per page).
 *
 * @param projectId runs of this project (database id), or {@code null}
 * @param group runs of this group, or {@code null}
 * @param state runs in this state, or {@code null}
 * @param search runs whose run id or name contains this text (case-insensitive), or
 * {@code null}
 * @param tags runs having all these tags, empty for any
 * @param limit page size, or {@code null}
 * @param offset runs to skip, or {@code null}
 * @param sortBy a run field such as {@code created_at} or {@code name}, or {@code null}
 * @param ascending {@code true} for ascending order, {@code false} descending,
 * {@code null} the server's default (descending)
 */
public record RunQuery(Long projectId, String group, RunState state, String search, List<String> tags, Integer limit,
        Integer offset, String sortBy, Boolean ascending) {

    /** Every run, with the server's defaults. */
    public static final RunQuery ALL = builder().build();

    public RunQuery {
        tags = List.copyOf(tags);
        if (limit != null && limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1, was " + limit);
        }
        if (offset != null && offset < 0) {
            throw new IllegalArgumentException("offset must not be negative, was " + offset);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builds a {@link RunQuery}. */
    public static final class Builder {

        private Long projectId;

        private String group;

        private RunState state;

        private String search;

        private List<String> tags = List.of();

        private Integer limit;

        private Integer offset;

        private String sortBy;

        private Boolean ascending;

        private Builder() {
        }

        public Builder projectId(long projectId) {
            this.projectId = projectId;
            return this;
        }

        public Builder group(String group) {
            this.group = group;
            return this;
        }

        public Builder state(RunState state) {
            this.state = state;
            return this;
        }

        public Builder search(String search) {
            this.search = search;
            return this;
        }

        public Builder tags(List<String> tags) {
            this.tags = List.copyOf(tags);
            return this;
        }

        public Builder limit(int limit) {
            this.limit = limit;
            return this;
        }

        public Builder offset(int offset) {
            this.offset = offset;
            return this;
        }

        public Builder sortBy(String sortBy) {
            this.sortBy = sortBy;
            return this;
        }

        public Builder ascending(boolean ascending) {
            this.ascending = ascending;
            return this;
        }

        public RunQuery build() {
            return new RunQuery(projectId, group, state, search, tags, limit, offset, sortBy, ascending);
        }

    }
}
