package io.dalva.test;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The rows of one path: at most one scalar (step null) and one per step. */
final class PathRows {

    Row scalar;

    final TreeMap<Integer, Row> series = new TreeMap<>();

    final Map<String, Integer> typeCounts = new LinkedHashMap<>();

    void add(Row row) {
        if (row.step() == null) {
            scalar = row;
        }
        else {
            series.put(row.step(), row);
        }
        typeCounts.merge(row.type(), 1, Integer::sum);
    }

    void remove(Row row) {
        if (row.step() == null) {
            scalar = null;
        }
        else {
            series.remove(row.step());
        }
        typeCounts.computeIfPresent(row.type(), (t, n) -> n == 1 ? null : n - 1);
    }

    int size() {
        return series.size() + (scalar == null ? 0 : 1);
    }

    /** The oldest row, whose type DuckDB's {@code DISTINCT ON} reports for the path. */
    Row first() {
        return rows().stream().min(Comparator.comparingLong(Row::id)).orElseThrow();
    }

    /** Rows ordered by step, the scalar last (DuckDB sorts NULLs last). */
    List<Row> rows() {
        List<Row> rows = new ArrayList<>(series.values());
        if (scalar != null) {
            rows.add(scalar);
        }
        return rows;
    }

}
