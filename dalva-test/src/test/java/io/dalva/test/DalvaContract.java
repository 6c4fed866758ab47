package io.dalva.test;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.UUID;

import static io.dalva.test.JsonMatch.assertMatches;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Dalva's HTTP contract ({@code dalva-api.md}) as scenarios over raw HTTP. Run against
 * {@link DalvaTestServer} always, and against a real Dalva server when {@code DALVA_CONTRACT_URL}
 * is set: both must give the same statuses and bodies, modulo ids and timestamps. Every
 * scenario works in projects of its own, so a long-lived real server can be reused.
 */
abstract class DalvaContract {

    Http http;

    String project;

    /** The base URL of the server under test, without a trailing slash. */
    abstract String baseUrl();

    @BeforeEach
    void newProject() {
        http = new Http(baseUrl());
        project = "deep metric learning " + UUID.randomUUID().toString().substring(0, 8);
    }

    long newRun(String name) {
        return http.init(project, name).get("id").longValue();
    }

    String run(long id) {
        return "/api/runs/" + id;
    }

    // ------------------------------------------------------------------ basics

    @Test
    void health() {
        Http.Reply reply = http.get("/api/health");
        assertThat(reply.status()).isEqualTo(200);
        assertMatches(reply.json(), "{\"status\":\"healthy\"}");
    }

    @Test
    void initCreatesARunningRunWithAProjectAbbreviationAndTheDatabaseId() {
        JsonNode init = http.init(project, "first");
        long id = init.get("id").longValue();
        assertMatches(init, "{\"id\":\"<int>\",\"run_id\":\"DML-" + id + "\",\"name\":\"first\"}");

        Http.Reply run = http.get(run(id));
        assertThat(run.status()).isEqualTo(200);
        assertMatches(run.json(), "{\"run_id\":\"DML-" + id + "\",\"name\":\"first\",\"group_name\":null,"
                + "\"tags\":null,\"state\":\"running\",\"id\":" + id + ",\"project_id\":\"<int>\",\"fork_from\":null,"
                + "\"created_at\":\"<timestamp>\",\"updated_at\":\"<timestamp>\"}");
    }

    @Test
    void initWithoutNameGivesANullName() {
        Http.Reply reply = http.post("/api/runs/init", "{\"project\":\"" + project + "\"}");
        assertThat(reply.status()).isEqualTo(200);
        assertMatches(reply.json(), "{\"id\":\"<int>\",\"run_id\":\"<any>\",\"name\":null}");
    }

    @Test
    void unknownRunIs404OnEveryRunEndpoint() {
        String unknown = "/api/runs/987654321";
        String notFound = "{\"detail\":\"Run not found\"}";
        assertMatches(expect(404, http.get(unknown)), notFound);
        assertMatches(expect(404, http.get(unknown + "/summary")), notFound);
        assertMatches(expect(404, http.post(unknown + "/log", "{\"metrics\":{\"a\":1}}")), notFound);
        assertMatches(expect(404, http.post(unknown + "/log/batch", "{\"entries\":[]}")), notFound);
        assertMatches(expect(404, http.postEmpty(unknown + "/finish")), notFound);
        assertMatches(expect(404, http.patch(unknown + "/state?state=failed")), notFound);
        assertMatches(expect(404, http.post(unknown + "/config", "{\"config\":{}}")), notFound);
        assertMatches(expect(404, http.get(unknown + "/config")), notFound);
        assertMatches(expect(404, http.get(unknown + "/config/a")), notFound);
        assertMatches(expect(404, http.delete(unknown + "/config/a")), notFound);
        assertMatches(expect(404, http.get(unknown + "/metrics/a")), notFound);
        assertMatches(expect(404, http.delete(unknown + "/metrics/a")), notFound);
        assertMatches(expect(404, http.get("/api/metrics/runs/987654321")), notFound);
        assertMatches(expect(404, http.get("/api/metrics/runs/987654321/metric/a")), notFound);
    }

    // ------------------------------------------------------------------ metrics: types and flattening

    @Test
    void nestedMetricsAreFlattenedAndTypedFromTheJsonToken() {
        long id = newRun("types");
        Http.Reply log = http.post(run(id) + "/log",
                "{\"metrics\":{\"train\":{\"loss\":1.0,\"acc\":{\"top1\":0.5}},\"epoch\":1,\"ok\":true,\"tag\":\"a\"},"
                        + "\"step\":0}");
        assertMatches(expect(200, log), "{\"success\":true}");
        expect(200, http.post(run(id) + "/log", "{\"metrics\":{\"lr\":0.1,\"count\":3,\"done\":false,\"note\":\"x\"}}"));

        assertMatches(expect(200, http.get("/api/metrics/runs/" + id)),
                "[{\"path\":\"count\",\"attribute_type\":\"int\"},{\"path\":\"done\",\"attribute_type\":\"bool\"},"
                        + "{\"path\":\"epoch\",\"attribute_type\":\"int_series\"},"
                        + "{\"path\":\"lr\",\"attribute_type\":\"float\"},"
                        + "{\"path\":\"note\",\"attribute_type\":\"string\"},"
                        + "{\"path\":\"ok\",\"attribute_type\":\"bool_series\"},"
                        + "{\"path\":\"tag\",\"attribute_type\":\"string_series\"},"
                        + "{\"path\":\"train/acc/top1\",\"attribute_type\":\"float_series\"},"
                        + "{\"path\":\"train/loss\",\"attribute_type\":\"float_series\"}]");
        assertMatches(expect(200, http.get(run(id) + "/metrics/train/loss")),
                "{\"key\":\"train/loss\",\"value\":1.0,\"step\":0}");
        assertMatches(expect(200, http.get(run(id) + "/metrics/epoch")), "{\"key\":\"epoch\",\"value\":1,\"step\":0}");
        assertMatches(expect(200, http.get(run(id) + "/metrics/count")), "{\"key\":\"count\",\"value\":3,\"step\":null}");
        assertMatches(expect(200, http.get(run(id) + "/metrics/done")),
                "{\"key\":\"done\",\"value\":false,\"step\":null}");
    }

    @Test
    void secondWriteAtTheSameStepIs409() {
        long id = newRun("dup");
        expect(200, http.post(run(id) + "/log", "{\"metrics\":{\"loss\":1.0},\"step\":3}"));
        assertMatches(expect(409, http.post(run(id) + "/log", "{\"metrics\":{\"loss\":2.0,\"acc\":0.5},\"step\":3}")),
                "{\"detail\":{\"message\":\"Metric logging conflict(s)\",\"conflicts\":["
                        + "\"Metric 'loss' already exists at step 3 (use remove() first to overwrite)\"]}}");
        assertThat(http.get(run(id) + "/metrics/acc").status()).as("all or nothing").isEqualTo(404);

        expect(200, http.post(run(id) + "/log", "{\"metrics\":{\"best\":1.0}}"));
        assertMatches(expect(409, http.post(run(id) + "/log", "{\"metrics\":{\"best\":2.0}}")),
                "{\"detail\":{\"message\":\"Metric logging conflict(s)\",\"conflicts\":["
                        + "\"Metric 'best' already exists at summary (use remove() first to overwrite)\"]}}");
    }

    @Test
    void aPathKeepsTheTypeOfItsFirstWrite() {
        long id = newRun("type change");
        expect(200, http.post(run(id) + "/log", "{\"metrics\":{\"n\":1},\"step\":0}"));
        assertMatches(expect(409, http.post(run(id) + "/log", "{\"metrics\":{\"n\":1.5},\"step\":1}")),
                "{\"detail\":{\"message\":\"Metric logging conflict(s)\",\"conflicts\":["
                        + "\"Type conflict for 'n': cannot log float_series, existing types are {'int_series'}\"]}}");
        expect(200, http.post(run(id) + "/log", "{\"metrics\":{\"n\":2},\"step\":1}"));
    }

    @Test
    void scalarsAndSeriesDoNotMixOnOnePath() {
        long id = newRun("mix");
        expect(200, http.post(run(id) + "/log", "{\"metrics\":{\"s\":1.0}}"));
        expect(200, http.post(run(id) + "/log", "{\"metrics\":{\"t\":1.0},\"step\":0}"));
        assertMatches(expect(409, http.post(run(id) + "/log", "{\"metrics\":{\"s\":2.0},\"step\":5}")),
                "{\"detail\":{\"message\":\"Metric logging conflict(s)\",\"conflicts\":["
                        + "\"Metric 's' already has scalar (summary) values \u2014 cannot log series at step 5 "
                        + "(use remove() first)\"]}}");
        assertMatches(expect(409, http.post(run(id) + "/log", "{\"metrics\":{\"t\":2.0}}")),
                "{\"detail\":{\"message\":\"Metric logging conflict(s)\",\"conflicts\":["
                        + "\"Metric 't' already has series (stepped) values \u2014 cannot log scalar "
                        + "(use remove() first)\"]}}");
    }

    // ------------------------------------------------------------------ batches

    @Test
    void aBatchWithAConflictIsRolledBackWhole() {
        long id = newRun("batch");
        expect(200, http.post(run(id) + "/log", "{\"metrics\":{\"loss\":1.0},\"step\":1}"));
        Http.Reply reply = http.post(run(id) + "/log/batch", "{\"entries\":["
                + "{\"metrics\":{\"loss\":0.5,\"acc\":0.1},\"step\":0},"
                + "{\"metrics\":{\"loss\":0.7},\"step\":1},"
                + "{\"metrics\":{\"loss\":0.9},\"step\":2}]}");
        assertMatches(expect(409, reply), "{\"detail\":{\"message\":\"Batch metric logging conflict(s)\","
                + "\"conflicts\":[\"Entry 1: Metric 'loss' already exists at step 1 (use remove() first to overwrite)\"]}}");
        assertThat(http.get(run(id) + "/metrics/acc").status()).isEqualTo(404);
        assertMatches(expect(200, http.get(run(id) + "/metrics/loss")), "{\"key\":\"loss\",\"value\":1.0,\"step\":1}");
        assertThat(http.get(run(id) + "/metrics/loss?step=0").status()).isEqualTo(404);
    }

    @Test
    void aBatchIsStoredWhole() {
        long id = newRun("batch ok");
        assertMatches(expect(200, http.post(run(id) + "/log/batch", "{\"entries\":["
                + "{\"metrics\":{\"loss\":0.5},\"step\":0},{\"metrics\":{\"loss\":0.25},\"step\":1},"
                + "{\"metrics\":{\"final\":{\"acc\":0.9}}}]}")), "{\"success\":true}");
        assertMatches(expect(200, http.get("/api/metrics/runs/" + id + "/metric/loss")),
                "{\"data\":[{\"step\":0,\"timestamp\":\"<timestamp>\",\"value\":0.5,\"attribute_type\":\"float_series\"},"
                        + "{\"step\":1,\"timestamp\":\"<timestamp>\",\"value\":0.25,\"attribute_type\":\"float_series\"}],"
                        + "\"has_more\":false,\"attribute_type\":\"float_series\"}");
        assertMatches(expect(200, http.get(run(id) + "/metrics/final/acc")),
                "{\"key\":\"final/acc\",\"value\":0.9,\"step\":null}");
    }

    @Test
    void theSamePathAndStepTwiceInOneBatchIs500AndStoresNothing() {
        long id = newRun("batch dup");
        Http.Reply reply = http.post(run(id) + "/log/batch", "{\"entries\":["
                + "{\"metrics\":{\"other\":1.0,\"loss\":0.5},\"step\":4},{\"metrics\":{\"loss\":0.6},\"step\":4}]}");
        assertMatches(expect(500, reply), "{\"detail\":\"Internal server error\"}");
        assertThat(http.get(run(id) + "/metrics/other").status()).isEqualTo(404);
    }

    @Test
    void nonScalarValuesAre422OnLogAnd409InABatch() {
        long id = newRun("non scalar");
        assertMatches(expect(422, http.post(run(id) + "/log", "{\"metrics\":{\"a\":null,\"b\":{\"c\":[1,2]},\"d\":1}}")),
                "{\"detail\":{\"message\":\"Metric values must be scalars (str, bool, int, float)\","
                        + "\"invalid_keys\":[\"a\",\"b/c\"]}}");
        assertThat(http.get(run(id) + "/metrics/d").status()).isEqualTo(404);
        assertMatches(expect(409, http.post(run(id) + "/log/batch",
                "{\"entries\":[{\"metrics\":{\"d\":1}},{\"metrics\":{\"a\":[1],\"b\":null},\"step\":1}]}")),
                "{\"detail\":{\"message\":\"Batch metric logging conflict(s)\","
                        + "\"conflicts\":[\"Entry 1: Non-scalar values for keys: ['a', 'b']\"]}}");
        assertThat(http.get(run(id) + "/metrics/d").status()).isEqualTo(404);
    }

    // ------------------------------------------------------------------ 32 bits, NaN

    @Test
    void stepsAndIntegersAre32Bit() {
        long id = newRun("bits");
        String internal = "{\"detail\":\"Internal server error\"}";
        expect(200, http.post(run(id) + "/log", "{\"metrics\":{\"a\":2147483647},\"step\":2147483647}"));
        assertMatches(expect(500, http.post(run(id) + "/log", "{\"metrics\":{\"b\":1},\"step\":2147483648}")), internal);
        assertMatches(expect(500, http.post(run(id) + "/log", "{\"metrics\":{\"c\":2147483648},\"step\":1}")), internal);
        assertMatches(expect(500, http.post(run(id) + "/log/batch",
                "{\"entries\":[{\"metrics\":{\"d\":1.0},\"step\":1},{\"metrics\":{\"e\":1},\"step\":4294967296}]}")),
                internal);
        expect(200, http.post(run(id) + "/log", "{\"metrics\":{\"f\":3.0E9,\"g\":-2147483648},\"step\":-1}"));
        assertMatches(expect(200, http.get("/api/metrics/runs/" + id)),
                "[{\"path\":\"a\",\"attribute_type\":\"int_series\"},{\"path\":\"f\",\"attribute_type\":\"float_series\"},"
                        + "{\"path\":\"g\",\"attribute_type\":\"int_series\"}]");
    }

    @Test
    void bareNanIsAcceptedAndReadBackAsNullButTheStringNanIsAString() {
        long id = newRun("nan");
        expect(200, http.post(run(id) + "/log", "{\"metrics\":{\"x\":NaN,\"y\":Infinity},\"step\":0}"));
        assertMatches(expect(200, http.get(run(id) + "/metrics/x")), "{\"key\":\"x\",\"value\":null,\"step\":0}");
        assertMatches(expect(200, http.get(run(id) + "/metrics/y")), "{\"key\":\"y\",\"value\":null,\"step\":0}");
        expect(200, http.post(run(id) + "/log", "{\"metrics\":{\"x\":1.5},\"step\":1}"));

        expect(200, http.post(run(id) + "/log", "{\"metrics\":{\"z\":\"NaN\"},\"step\":0}"));
        assertMatches(expect(200, http.get(run(id) + "/metrics/z")), "{\"key\":\"z\",\"value\":\"NaN\",\"step\":0}");
        assertMatches(expect(409, http.post(run(id) + "/log", "{\"metrics\":{\"z\":1.5},\"step\":1}")),
                "{\"detail\":{\"message\":\"Metric logging conflict(s)\",\"conflicts\":["
                        + "\"Type conflict for 'z': cannot log float_series, existing types are {'string_series'}\"]}}");
    }

    // ------------------------------------------------------------------ run lifecycle

    @Test
    void finishIsIdempotentAndLoggingAfterwardsIsAccepted() {
        long id = newRun("finish");
        assertMatches(expect(200, http.postEmpty(run(id) + "/finish")), "{\"state\":\"completed\"}");
        assertMatches(expect(200, http.postEmpty(run(id) + "/finish")), "{\"state\":\"completed\"}");
        expect(200, http.post(run(id) + "/log", "{\"metrics\":{\"late\":1.0},\"step\":0}"));
        assertThat(http.get(run(id)).at("/state").textValue()).isEqualTo("completed");
    }

    @Test
    void stateIsValidated() {
        long id = newRun("state");
        assertMatches(expect(200, http.patch(run(id) + "/state?state=failed")), "{\"run_id\":\"<any>\",\"name\":\"state\",\"group_name\":null,\"tags\":null,"
                + "\"state\":\"failed\",\"id\":" + id + ",\"project_id\":\"<int>\",\"fork_from\":null,"
                + "\"created_at\":\"<timestamp>\",\"updated_at\":\"<timestamp>\"}");
        assertMatches(expect(422, http.patch(run(id) + "/state?state=crashed")),
                "{\"detail\":[{\"type\":\"string_pattern_mismatch\",\"loc\":[\"query\",\"state\"],"
                        + "\"msg\":\"String should match pattern '^(running|completed|failed)$'\",\"input\":\"crashed\","
                        + "\"ctx\":{\"pattern\":\"^(running|completed|failed)$\"}}]}");
        assertMatches(expect(422, http.patch(run(id) + "/state")),
                "{\"detail\":[{\"type\":\"missing\",\"loc\":[\"query\",\"state\"],\"msg\":\"Field required\","
                        + "\"input\":null}]}");
        assertThat(http.get(run(id)).at("/state").textValue()).isEqualTo("failed");
    }

    // ------------------------------------------------------------------ helpers

    /** Asserts the status and returns the parsed body. */
    static JsonNode expect(int status, Http.Reply reply) {
        assertThat(reply.status()).as("status of %s", reply.body()).isEqualTo(status);
        return reply.json();
    }
}
