package io.dalva.client;

import java.util.List;

/**
 * A page of runs from {@link DalvaClient#listRuns(RunQuery)}.
 *
 * @param runs the runs of this page
 * @param total how many runs match the query in all
 * @param hasMore whether more pages follow
 */
public record RunPage(List<RunInfo> runs, int total, boolean hasMore) {

    public RunPage {
        runs = List.copyOf(runs);
    }
}
