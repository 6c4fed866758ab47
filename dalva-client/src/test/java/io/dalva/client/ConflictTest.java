package io.dalva.client;

import io.dalva.client.Conflict.Kind;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The server's 409 wordings, as Dalva 0.3 writes them ({@code api/routes/run_metrics.py},
 * {@code services/logger.py}, quoted in {@code shared/dalva-api.md}'s 409 row), read into
 * typed conflicts.
 */
class ConflictTest {

    @Test
    void aValueThatExistsAtAStepOrAsTheScalar() {
        assertThat(Conflict.parse("Metric 'train/loss' already exists at step 5 (use remove() first to overwrite)"))
            .isEqualTo(new Conflict(null, "train/loss", 5, Kind.ALREADY_EXISTS,
                    "Metric 'train/loss' already exists at step 5 (use remove() first to overwrite)"));
        assertThat(Conflict.parse("Metric 'best' already exists at summary (use remove() first to overwrite)"))
            .extracting(Conflict::path, Conflict::step, Conflict::kind)
            .containsExactly("best", null, Kind.ALREADY_EXISTS);
    }

    @Test
    void aBatchEntryKeepsItsIndexApartFromTheSentence() {
        Conflict conflict = Conflict
            .parse("Entry 12: Metric 'loss' already exists at step 2147483647 (use remove() first to overwrite)");

        assertThat(conflict.entry()).isEqualTo(12);
        assertThat(conflict.step()).isEqualTo(Integer.MAX_VALUE);
        assertThat(conflict.text()).startsWith("Metric 'loss'");
        assertThat(conflict)
            .hasToString("Entry 12: Metric 'loss' already exists at step 2147483647 (use remove() first to overwrite)");
    }

    @Test
    void aTypeChange() {
        assertThat(
                Conflict.parse("Type conflict for 'epoch': cannot log float_series, existing types are {'int_series'}"))
            .extracting(Conflict::path, Conflict::step, Conflict::kind)
            .containsExactly("epoch", null, Kind.TYPE_CHANGE);
        assertThat(Conflict
            .parse("Entry 0: Type conflict for 'x': cannot log string, existing types are {'float', 'float_series'}"))
            .extracting(Conflict::entry, Conflict::path, Conflict::kind)
            .containsExactly(0, "x", Kind.TYPE_CHANGE);
    }

    @Test
    void scalarAgainstSeriesBothWays() {
        assertThat(Conflict.parse(
                "Metric 'best' already has scalar (summary) values \u2014 cannot log series at step 3 (use remove() first)"))
            .extracting(Conflict::path, Conflict::step, Conflict::kind)
            .containsExactly("best", 3, Kind.SCALAR_VS_SERIES);
        assertThat(Conflict
            .parse("Metric 'loss' already has series (stepped) values \u2014 cannot log scalar (use remove() first)"))
            .extracting(Conflict::path, Conflict::step, Conflict::kind)
            .containsExactly("loss", null, Kind.SCALAR_VS_SERIES);
    }

    @Test
    void anExistingConfigKey() {
        assertThat(Conflict.parse(
                "Config key 'model/layers' already exists for this run. Use remove_config('model/layers') first to overwrite."))
            .extracting(Conflict::path, Conflict::kind)
            .containsExactly("model/layers", Kind.CONFIG_EXISTS);
    }

    @Test
    void pathsHoldingQuotesAndTheServersOwnWordsAreReadWhole() {
        assertThat(Conflict.parse("Metric 'it's' already exists at step 1' already exists at step 2 "
                + "(use remove() first to overwrite)"))
            .extracting(Conflict::path, Conflict::step)
            .containsExactly("it's' already exists at step 1", 2);
        assertThat(Conflict
            .parse("Config key 'a'b' already exists for this run. Use remove_config('a'b') first to " + "overwrite.")
            .path()).isEqualTo("a'b");
    }

    @Test
    void unknownWordingsAreOtherWithoutAPath() {
        assertThat(Conflict.parse("Entry 1: Non-scalar values for keys: ['a']"))
            .isEqualTo(new Conflict(1, null, null, Kind.OTHER, "Non-scalar values for keys: ['a']"));
        assertThat(Conflict.parse("Entry x: something new")).extracting(Conflict::entry, Conflict::kind)
            .containsExactly(null, Kind.OTHER);
        // a step beyond 32 bits is not a step the server could hold: not invented
        assertThat(Conflict.parse("Metric 'a' already exists at step 99999999999 (use remove() first to overwrite)")
            .step()).isNull();
    }

    @Test
    void aConflictAnswerIsParsedInOnePlace() {
        String body = "{\"detail\":{\"message\":\"Batch metric logging conflict(s)\",\"conflicts\":["
                + "\"Entry 0: Metric 'loss' already exists at step 1 (use remove() first to overwrite)\","
                + "\"Entry 1: Type conflict for 'acc': cannot log string_series, existing types are {'float_series'}\"]}}";

        DalvaException e = new ErrorResponses(new ObjectMapper()).toException("POST /api/runs/2/log/batch", 409,
                "application/json", body);

        assertThat(e).isInstanceOfSatisfying(DalvaConflictException.class,
                conflict -> assertThat(conflict.conflicts())
                    .extracting(Conflict::entry, Conflict::path, Conflict::step, Conflict::kind)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(0, "loss", 1, Kind.ALREADY_EXISTS),
                            org.assertj.core.groups.Tuple.tuple(1, "acc", null, Kind.TYPE_CHANGE)));
        assertThat(e.getMessage()).startsWith("POST /api/runs/2/log/batch answered 409: Batch metric logging");
    }

    @Test
    void aConflictWithoutAListHasNone() {
        DalvaException e = new ErrorResponses(new ObjectMapper()).toException("POST /x", 409, "text/plain", "busy");

        assertThat(e).isInstanceOfSatisfying(DalvaConflictException.class,
                conflict -> assertThat(conflict.conflicts()).isEmpty());
    }

}
