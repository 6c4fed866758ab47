package io.dalva.test;

import java.math.BigInteger;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The filters and order of {@code GET /api/runs/}, as {@code list_runs} builds its SQL:
 * empty filters are ignored, {@code search} and {@code tags} are ILIKE patterns
 * ({@code %} and {@code _} are wildcards), an unknown {@code sort_by} falls back to
 * {@code created_at}, and NULLs sort last both ways, as in DuckDB.
 */
record RunQuery(BigInteger projectId, String group, String state, String search, String tags, String sortBy,
        boolean descending) {

    private static final Set<String> NOT_COLUMNS = Set.of("project", "metrics", "configs", "files", "dalva_tables",
            "metadata", "registry");

    /** The matching runs, sorted. */
    List<Run> select(Collection<Run> runs) {
        if (NOT_COLUMNS.contains(sortBy) || sortBy.startsWith("_")) {
            throw ApiError.internal(); // getattr(Run, sort_by) is not a column: .desc()
                                       // fails
        }
        Pattern searchPattern = empty(search) ? null : ilike("%" + search + "%");
        List<String> tagList = new ArrayList<>();
        if (!empty(tags)) {
            for (String tag : tags.split(",", -1)) {
                tagList.add(tag.strip());
            }
        }
        List<Run> selected = new ArrayList<>();
        for (Run run : runs) {
            boolean matches = (projectId == null || projectId.signum() == 0
                    || projectId.equals(BigInteger.valueOf(run.project.id)))
                    && (empty(group) || group.equals(run.groupName)) && (empty(state) || state.equals(run.state))
                    && (searchPattern == null || searchPattern.matcher(run.runId).matches()
                            || run.name != null && searchPattern.matcher(run.name).matches())
                    && tagList.stream().allMatch(tag -> hasTag(run.tags, tag));
            if (matches) {
                selected.add(run);
            }
        }
        selected.sort(order());
        return selected;
    }

    private static boolean hasTag(String runTags, String tag) {
        return runTags != null && (runTags.equals(tag) || ilike(tag + ",%").matcher(runTags).matches()
                || ilike("%," + tag).matcher(runTags).matches() || ilike("%," + tag + ",%").matcher(runTags).matches());
    }

    private Comparator<Run> order() {
        Comparator<String> text = KeyPaths::compareCodepoints;
        Comparator<Run> byColumn = switch (sortBy) {
            case "id" -> by(r -> r.id, Comparator.<Long>naturalOrder());
            case "project_id" -> by(r -> r.project.id, Comparator.<Long>naturalOrder());
            case "run_id" -> by(r -> r.runId, text);
            case "name" -> by(r -> r.name, text);
            case "group_name" -> by(r -> r.groupName, text);
            case "tags" -> by(r -> r.tags, text);
            case "state" -> by(r -> r.state, text);
            case "updated_at", "last_activity_at" -> by(r -> r.updatedAt, Comparator.<LocalDateTime>naturalOrder());
            case "fork_from" -> by(r -> r.forkFrom, Comparator.<Long>naturalOrder());
            default -> by(r -> r.createdAt, Comparator.<LocalDateTime>naturalOrder());
        };
        Comparator<Run> byId = Comparator.comparingLong(r -> r.id);
        return byColumn.thenComparing(descending ? byId.reversed() : byId);
    }

    private <T> Comparator<Run> by(Function<Run, T> key, Comparator<T> order) {
        return Comparator.comparing(key, Comparator.nullsLast(descending ? order.reversed() : order));
    }

    private static boolean empty(String s) {
        return s == null || s.isEmpty();
    }

    /** SQL ILIKE: '%' any run, '_' any one character, case-insensitive. */
    static Pattern ilike(String pattern) {
        StringBuilder regex = new StringBuilder();
        StringBuilder literal = new StringBuilder();
        for (char c : pattern.toCharArray()) {
            if (c == '%' || c == '_') {
                if (literal.length() > 0) {
                    regex.append(Pattern.quote(literal.toString()));
                    literal.setLength(0);
                }
                regex.append(c == '%' ? ".*" : ".");
            }
            else {
                literal.append(c);
            }
        }
        if (literal.length() > 0) {
            regex.append(Pattern.quote(literal.toString()));
        }
        return Pattern.compile(regex.toString(), Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE | Pattern.DOTALL);
    }
}
