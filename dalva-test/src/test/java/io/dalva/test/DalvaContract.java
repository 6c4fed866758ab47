package io.dalva.test;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.UUID;

import static io.dalva.test.JsonMatch.assertMatches;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Dalva's HTTP contract ({@code dalva-api.md}) as scenarios over raw HTTP. Run against
 * {@link DalvaTestServer} always, and against a real Dalva server when
 * {@code DALVA_CONTRACT_URL} is set: both must give the same statuses and bodies, modulo
 * ids and timestamps. Every scenario works in projects of its own, so a long-lived real
 * server can be reused.
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

    // ------------------------------------------------------------------ metrics: types
    // and flattening

    @Test
    void nestedMetricsAreFlattenedAndTypedFromTheJsonToken() {
        long id = newRun("types");
        Http.Reply log = http.post(run(id) + "/log",
                "{\"metrics\":{\"train\":{\"loss\":1.0,\"acc\":{\"top1\":0.5}},\"epoch\":1,\"ok\":true,\"tag\":\"a\"},"
                        + "\"step\":0}");
        assertMatches(expect(200, log), "{\"success\":true}");
        expect(200,
                http.post(run(id) + "/log", "{\"metrics\":{\"lr\":0.1,\"count\":3,\"done\":false,\"note\":\"x\"}}"));

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
        assertMatches(expect(200, http.get(run(id) + "/metrics/count")),
                "{\"key\":\"count\",\"value\":3,\"step\":null}");
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
        Http.Reply reply = http.post(run(id) + "/log/batch",
                "{\"entries\":[" + "{\"metrics\":{\"loss\":0.5,\"acc\":0.1},\"step\":0},"
                        + "{\"metrics\":{\"loss\":0.7},\"step\":1}," + "{\"metrics\":{\"loss\":0.9},\"step\":2}]}");
        assertMatches(expect(409, reply), "{\"detail\":{\"message\":\"Batch metric logging conflict(s)\","
                + "\"conflicts\":[\"Entry 1: Metric 'loss' already exists at step 1 (use remove() first to overwrite)\"]}}");
        assertThat(http.get(run(id) + "/metrics/acc").status()).isEqualTo(404);
        assertMatches(expect(200, http.get(run(id) + "/metrics/loss")), "{\"key\":\"loss\",\"value\":1.0,\"step\":1}");
        assertThat(http.get(run(id) + "/metrics/loss?step=0").status()).isEqualTo(404);
    }

    @Test
    void aBatchIsStoredWhole() {
        long id = newRun("batch ok");
        assertMatches(expect(200,
                http.post(run(id) + "/log/batch",
                        "{\"entries\":["
                                + "{\"metrics\":{\"loss\":0.5},\"step\":0},{\"metrics\":{\"loss\":0.25},\"step\":1},"
                                + "{\"metrics\":{\"final\":{\"acc\":0.9}}}]}")),
                "{\"success\":true}");
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
        assertMatches(
                expect(422, http.post(run(id) + "/log", "{\"metrics\":{\"a\":null,\"b\":{\"c\":[1,2]},\"d\":1}}")),
                "{\"detail\":{\"message\":\"Metric values must be scalars (str, bool, int, float)\","
                        + "\"invalid_keys\":[\"a\",\"b/c\"]}}");
        assertThat(http.get(run(id) + "/metrics/d").status()).isEqualTo(404);
        assertMatches(
                expect(409, http.post(run(id) + "/log/batch",
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
        assertMatches(expect(500, http.post(run(id) + "/log", "{\"metrics\":{\"b\":1},\"step\":2147483648}")),
                internal);
        assertMatches(expect(500, http.post(run(id) + "/log", "{\"metrics\":{\"c\":2147483648},\"step\":1}")),
                internal);
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
        assertMatches(expect(200, http.patch(run(id) + "/state?state=failed")),
                "{\"run_id\":\"<any>\",\"name\":\"state\",\"group_name\":null,\"tags\":null,"
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

    // ------------------------------------------------------------------ config

    @Test
    void configIsFlattenedOnInitAndReadBackFlat() {
        Http.Reply init = http.post("/api/runs/init", "{\"project\":\"" + project + "\",\"name\":\"cfg\","
                + "\"config\":{\"optim\":{\"lr\":0.001,\"betas\":[0.9,0.999]},\"epochs\":10,\"model\":\"resnet\","
                + "\"amp\":true,\"note\":null,\"empty\":{}}}");
        long id = expect(200, init).get("id").longValue();
        assertMatches(expect(200, http.get(run(id) + "/config")), "{\"optim/lr\":0.001,\"optim/betas\":[0.9,0.999],"
                + "\"epochs\":10,\"model\":\"resnet\",\"amp\":true,\"note\":null}");
        assertMatches(expect(200, http.get(run(id) + "/config/optim/lr")), "{\"key\":\"optim/lr\",\"value\":0.001}");
        assertMatches(expect(404, http.get(run(id) + "/config/optim")),
                "{\"detail\":\"Config key 'optim' not found for this run\"}");
    }

    @Test
    void configIsStrictInsertAllOrNothing() {
        long id = newRun("cfg conflict");
        assertMatches(expect(200, http.post(run(id) + "/config", "{\"config\":{\"a\":1,\"b\":{\"c\":\"x\"}}}")),
                "{\"success\":true}");
        assertMatches(expect(409, http.post(run(id) + "/config", "{\"config\":{\"new\":1,\"b\":{\"c\":\"y\"}}}")),
                "{\"detail\":{\"message\":\"Config logging conflict(s)\",\"conflicts\":[\"Config key 'b/c' already "
                        + "exists for this run. Use remove_config('b/c') first to overwrite.\"]}}");
        assertThat(http.get(run(id) + "/config/new").status()).isEqualTo(404);

        assertMatches(expect(200, http.delete(run(id) + "/config/b/c")), "{\"message\":\"Config key 'b/c' removed\"}");
        assertMatches(expect(404, http.delete(run(id) + "/config/b/c")),
                "{\"detail\":\"Config key 'b/c' not found for this run\"}");
        expect(200, http.post(run(id) + "/config", "{\"config\":{\"b\":{\"c\":\"y\"}}}"));
        assertMatches(expect(200, http.get(run(id) + "/config")), "{\"a\":1,\"b/c\":\"y\"}");
    }

    // ------------------------------------------------------------------ metric get and
    // delete

    @Test
    void getMetricGivesTheHighestStepOrTheRequestedOne() {
        long id = newRun("get");
        expect(200, http.post(run(id) + "/log/batch", "{\"entries\":[{\"metrics\":{\"m\":0.5},\"step\":10},"
                + "{\"metrics\":{\"m\":0.7},\"step\":2},{\"metrics\":{\"m\":0.9},\"step\":5}]}"));
        assertMatches(expect(200, http.get(run(id) + "/metrics/m")), "{\"key\":\"m\",\"value\":0.5,\"step\":10}");
        assertMatches(expect(200, http.get(run(id) + "/metrics/m?step=2")), "{\"key\":\"m\",\"value\":0.7,\"step\":2}");
        assertMatches(expect(404, http.get(run(id) + "/metrics/m?step=3")),
                "{\"detail\":\"Metric 'm' not found for this run\"}");
        assertMatches(expect(404, http.get(run(id) + "/metrics/nope")),
                "{\"detail\":\"Metric 'nope' not found for this run\"}");
        assertMatches(expect(422, http.get(run(id) + "/metrics/m?step=x")),
                "{\"detail\":[{\"type\":\"int_parsing\",\"loc\":[\"query\",\"step\"],"
                        + "\"msg\":\"Input should be a valid integer, unable to parse string as an integer\","
                        + "\"input\":\"x\"}]}");
    }

    @Test
    void deleteMetricRemovesOneStepOrTheWholePathThenAllowsRewriting() {
        long id = newRun("delete");
        expect(200, http.post(run(id) + "/log/batch", "{\"entries\":[{\"metrics\":{\"m\":1},\"step\":0},"
                + "{\"metrics\":{\"m\":2},\"step\":1},{\"metrics\":{\"m\":3},\"step\":2}]}"));
        assertMatches(expect(200, http.delete(run(id) + "/metrics/m?step=1")),
                "{\"message\":\"Removed 1 metric row(s) for 'm'\",\"count\":1}");
        assertMatches(expect(404, http.delete(run(id) + "/metrics/m?step=1")),
                "{\"detail\":\"No metric 'm' found for this run\"}");
        expect(200, http.post(run(id) + "/log", "{\"metrics\":{\"m\":20},\"step\":1}"));
        assertMatches(expect(200, http.delete(run(id) + "/metrics/m")),
                "{\"message\":\"Removed 3 metric row(s) for 'm'\",\"count\":3}");
        assertMatches(expect(404, http.delete(run(id) + "/metrics/m")),
                "{\"detail\":\"No metric 'm' found for this run\"}");
        expect(200, http.post(run(id) + "/log", "{\"metrics\":{\"m\":\"now a string\"}}"));
        assertMatches(expect(200, http.get(run(id) + "/metrics/m")),
                "{\"key\":\"m\",\"value\":\"now a string\",\"step\":null}");
    }

    // ------------------------------------------------------------------ reading

    @Test
    void metricValuesArePagedAndFilteredBySteps() {
        long id = newRun("values");
        StringBuilder entries = new StringBuilder();
        for (int step = 0; step < 10; step++) {
            entries.append(step == 0 ? "" : ",")
                .append("{\"metrics\":{\"v\":")
                .append(step)
                .append("},\"step\":")
                .append(step)
                .append("}");
        }
        expect(200, http.post(run(id) + "/log/batch", "{\"entries\":[" + entries + "]}"));
        String path = "/api/metrics/runs/" + id + "/metric/v";
        JsonNode page = expect(200, http.get(path + "?limit=3&offset=2"));
        assertThat(page.get("data")).extracting(n -> n.get("step").intValue()).containsExactly(2, 3, 4);
        assertMatches(page.get("data").get(0),
                "{\"step\":2,\"timestamp\":\"<timestamp>\",\"value\":2,\"attribute_type\":\"int_series\"}");
        assertThat(page.get("has_more").booleanValue()).isTrue();
        assertThat(page.get("attribute_type").textValue()).isEqualTo("int_series");

        JsonNode range = expect(200, http.get(path + "?step_min=7&step_max=8"));
        assertThat(range.get("data")).extracting(n -> n.get("value").intValue()).containsExactly(7, 8);
        assertThat(range.get("has_more").booleanValue()).isFalse();

        assertMatches(expect(200, http.get(path + "?step_min=50")),
                "{\"data\":[],\"has_more\":false,\"attribute_type\":null}");
        assertMatches(expect(200, http.get("/api/metrics/runs/" + id + "/metric/unknown")),
                "{\"data\":[],\"has_more\":false,\"attribute_type\":null}");
    }

    @Test
    void summaryHasScalarMetricsAndConfig() {
        long id = expect(200,
                http.post("/api/runs/init",
                        "{\"project\":\"" + project + "\",\"name\":\"sum\",\"config\":{\"lr\":0.1}}"))
            .get("id")
            .longValue();
        expect(200, http.post(run(id) + "/log", "{\"metrics\":{\"best\":{\"acc\":0.9},\"epochs\":3}}"));
        expect(200, http.post(run(id) + "/log", "{\"metrics\":{\"loss\":0.1},\"step\":0}"));
        assertMatches(expect(200, http.get(run(id) + "/summary")), "{\"run_id\":\"<any>\",\"name\":\"sum\","
                + "\"group_name\":null,\"tags\":null,\"state\":\"running\",\"id\":" + id + ",\"project_id\":\"<int>\","
                + "\"fork_from\":null,\"created_at\":\"<timestamp>\",\"updated_at\":\"<timestamp>\","
                + "\"metrics\":{\"best/acc\":0.9,\"epochs\":3},\"config\":{\"lr\":0.1}}");
    }

    @Test
    void runsAreListedWithFiltersAndPagination() {
        long a = newRun("alpha");
        long b = newRun("beta");
        long c = newRun("gamma");
        expect(200, http.patch(run(b) + "/state?state=failed"));
        long projectId = http.get(run(a)).json().get("project_id").longValue();
        String list = "/api/runs/?project_id=" + projectId;

        JsonNode all = expect(200, http.get(list));
        assertThat(all.get("total").intValue()).isEqualTo(3);
        assertThat(all.get("has_more").booleanValue()).isFalse();
        assertThat(all.get("runs")).extracting(r -> r.get("id").longValue()).containsExactly(c, b, a);

        JsonNode page = expect(200, http.get(list + "&limit=2&offset=0&sort_by=name&sort_order=asc"));
        assertThat(page.get("runs")).extracting(r -> r.get("name").textValue()).containsExactly("alpha", "beta");
        assertThat(page.get("total").intValue()).isEqualTo(3);
        assertThat(page.get("has_more").booleanValue()).isTrue();

        assertThat(expect(200, http.get(list + "&state=failed")).get("runs")).extracting(r -> r.get("id").longValue())
            .containsExactly(b);
        assertThat(expect(200, http.get(list + "&search=AMM")).get("runs")).extracting(r -> r.get("name").textValue())
            .containsExactly("gamma");
        assertThat(expect(200, http.get(list + "&search=" + http.get(run(a)).json().get("run_id").textValue()))
            .get("runs")).extracting(r -> r.get("id").longValue()).containsExactly(a);
        assertThat(expect(200, http.get(list + "&tags=x")).get("total").intValue()).isZero();
        assertMatches(expect(422, http.get(list + "&sort_order=up")),
                "{\"detail\":[{\"type\":\"literal_error\",\"loc\":[\"query\",\"sort_order\"],"
                        + "\"msg\":\"Input should be 'asc' or 'desc'\",\"input\":\"up\","
                        + "\"ctx\":{\"expected\":\"'asc' or 'desc'\"}}]}");
    }

    @Test
    void projectsAreListedWithRunCounts() {
        long a = newRun("a");
        long b = newRun("b");
        newRun("c");
        expect(200, http.postEmpty(run(a) + "/finish"));
        expect(200, http.patch(run(b) + "/state?state=failed"));
        JsonNode projects = expect(200, http.get("/api/projects/"));
        JsonNode mine = null;
        for (JsonNode p : projects) {
            if (p.get("name").textValue().equals(project)) {
                mine = p;
            }
        }
        assertThat(mine).as("project %s in %s", project, projects).isNotNull();
        assertMatches(mine, "{\"name\":\"" + project + "\",\"project_id\":\"<any>\",\"id\":\"<int>\","
                + "\"created_at\":\"<timestamp>\",\"updated_at\":\"<timestamp>\",\"total_runs\":3,\"running_runs\":1,"
                + "\"completed_runs\":1,\"failed_runs\":1}");
        assertThat(mine.get("project_id").textValue()).startsWith(project + "_");
        assertThat(projects.get(0).get("name").textValue()).as("newest first").isEqualTo(project);
        assertMatches(expect(200, http.get("/api/projects/" + mine.get("id").longValue())), mine.toString());
        assertMatches(expect(404, http.get("/api/projects/987654321")), "{\"detail\":\"Project not found\"}");
    }

    @Test
    void summaryMetricsGiveTheLatestValuePerRunAndPath() {
        long a = newRun("a");
        long b = newRun("b");
        expect(200, http.post(run(a) + "/log/batch", "{\"entries\":[{\"metrics\":{\"loss\":0.9},\"step\":0},"
                + "{\"metrics\":{\"loss\":0.4},\"step\":7},{\"metrics\":{\"acc\":0.8}}]}"));
        expect(200, http.post(run(b) + "/log", "{\"metrics\":{\"acc\":0.6}}"));
        assertMatches(
                expect(200,
                        http.post("/api/metrics/summary",
                                "{\"run_ids\":[" + a + "," + b
                                        + ",987654321],\"metric_paths\":[\"loss\",\"acc\",\"nope\"]}")),
                "{\"" + a + "\":{\"loss\":0.4,\"acc\":0.8},\"" + b + "\":{\"acc\":0.6},\"987654321\":{}}");
        assertMatches(expect(200, http.post("/api/metrics/summary", "{\"run_ids\":[],\"metric_paths\":[\"a\"]}")),
                "{}");
    }

    @Test
    void projectTagsAndAvailableColumns() {
        long a = newRun("a");
        expect(200, http.post(run(a) + "/log", "{\"metrics\":{\"zeta\":1.0,\"alpha\":2,\"flag\":true,\"s\":\"x\"}}"));
        expect(200, http.post(run(a) + "/log", "{\"metrics\":{\"curve\":1.0},\"step\":0}"));
        long projectId = http.get(run(a)).json().get("project_id").longValue();
        assertMatches(expect(200, http.get("/api/projects/" + projectId + "/available-columns")),
                "[\"alpha\",\"zeta\"]");
        assertMatches(expect(200, http.get("/api/projects/" + projectId + "/tags")), "[]");
        assertMatches(expect(404, http.get("/api/projects/987654321/tags")), "{\"detail\":\"Project not found\"}");
    }

    @Test
    void runsAndProjectsCanBeDeleted() {
        long a = newRun("a");
        assertMatches(expect(200, http.get(run(a) + "/tables")), "[]");
        long projectId = http.get(run(a)).json().get("project_id").longValue();
        assertMatches(expect(200, http.delete(run(a))), "{\"message\":\"Run deleted successfully\"}");
        assertMatches(expect(404, http.get(run(a))), "{\"detail\":\"Run not found\"}");

        long b = newRun("b");
        assertMatches(expect(400, http.post("/api/projects/", "{\"name\":\"" + project + "\",\"project_id\":\"x\"}")),
                "{\"detail\":\"Project with this name or ID already exists\"}");
        assertMatches(expect(200, http.delete("/api/projects/" + projectId)),
                "{\"message\":\"Project deleted successfully\"}");
        assertThat(http.get(run(b)).status()).isEqualTo(404);
        assertThat(http.get("/api/projects/" + projectId).status()).isEqualTo(404);

        String other = project + " created";
        JsonNode created = expect(200,
                http.post("/api/projects/", "{\"name\":\"" + other + "\",\"project_id\":\"" + other + "_id\"}"));
        assertMatches(created, "{\"name\":\"" + other + "\",\"project_id\":\"" + other + "_id\",\"id\":\"<int>\","
                + "\"created_at\":\"<timestamp>\",\"updated_at\":\"<timestamp>\"}");
        expect(200, http.delete("/api/projects/" + created.get("id").longValue()));
    }

    // ------------------------------------------------------------------ resume and fork

    @Test
    void resumeReopensTheRunIgnoresTheNameAndAddsNewConfig() {
        JsonNode created = expect(200, http.post("/api/runs/init",
                "{\"project\":\"" + project + "\",\"name\":\"orig\",\"config\":{\"a\":1}}"));
        long id = created.get("id").longValue();
        String runId = created.get("run_id").textValue();
        expect(200, http.postEmpty(run(id) + "/finish"));

        JsonNode resumed = expect(200, http.post("/api/runs/init", "{\"project\":\"" + project
                + "\",\"name\":\"ignored\",\"resume_from\":\"" + runId + "\",\"config\":{\"b\":{\"c\":2}}}"));
        assertMatches(resumed, "{\"id\":" + id + ",\"run_id\":\"" + runId + "\",\"name\":\"orig\"}");
        assertThat(http.get(run(id)).json().get("state").textValue()).isEqualTo("running");
        assertMatches(expect(200, http.get(run(id) + "/config")), "{\"a\":1,\"b/c\":2}");
    }

    @Test
    void resumeProblemsAre500() {
        JsonNode created = expect(200, http.post("/api/runs/init",
                "{\"project\":\"" + project + "\",\"name\":\"orig\",\"config\":{\"a\":1}}"));
        String runId = created.get("run_id").textValue();
        String internal = "{\"detail\":\"Internal server error\"}";
        assertMatches(
                expect(500,
                        http.post("/api/runs/init", "{\"project\":\"" + project + "\",\"resume_from\":\"NOPE-1\"}")),
                internal);
        assertMatches(
                expect(500,
                        http.post("/api/runs/init",
                                "{\"project\":\"" + project + " other\",\"resume_from\":\"" + runId + "\"}")),
                internal);
        assertMatches(expect(500, http.post("/api/runs/init",
                "{\"project\":\"" + project + "\",\"resume_from\":\"" + runId + "\",\"config\":{\"a\":2,\"z\":1}}")),
                internal);
        assertMatches(expect(200, http.get(run(created.get("id").longValue()) + "/config")), "{\"a\":1}");
    }

    @Test
    void forkCopiesConfigAndMetricsIntoANewRun() {
        JsonNode source = expect(200, http.post("/api/runs/init",
                "{\"project\":\"" + project + "\",\"name\":\"base\",\"config\":{\"lr\":0.1}}"));
        long sourceId = source.get("id").longValue();
        expect(200, http.post(run(sourceId) + "/log/batch", "{\"entries\":[{\"metrics\":{\"loss\":1.0},\"step\":0},"
                + "{\"metrics\":{\"loss\":0.5},\"step\":1},{\"metrics\":{\"best\":0.5}}]}"));

        JsonNode fork = expect(200, http.post("/api/runs/init", "{\"project\":\"" + project + "\",\"fork_from\":\""
                + source.get("run_id").textValue() + "\",\"config\":{\"ignored\":true}}"));
        long forkId = fork.get("id").longValue();
        assertThat(forkId).isNotEqualTo(sourceId);
        assertMatches(fork, "{\"id\":" + forkId + ",\"run_id\":\"DML-" + forkId + "\",\"name\":\"fork of base\"}");
        assertMatches(expect(200, http.get(run(forkId))),
                "{\"run_id\":\"DML-" + forkId + "\",\"name\":\"fork of base\","
                        + "\"group_name\":null,\"tags\":null,\"state\":\"running\",\"id\":" + forkId
                        + ",\"project_id\":\"<int>\"," + "\"fork_from\":" + sourceId
                        + ",\"created_at\":\"<timestamp>\",\"updated_at\":\"<timestamp>\"}");
        assertMatches(expect(200, http.get(run(forkId) + "/config")), "{\"lr\":0.1}");
        assertMatches(expect(200, http.get(run(forkId) + "/metrics/loss")),
                "{\"key\":\"loss\",\"value\":0.5,\"step\":1}");
        assertMatches(expect(200, http.get(run(forkId) + "/metrics/best")),
                "{\"key\":\"best\",\"value\":0.5,\"step\":null}");

        JsonNode named = expect(200, http.post("/api/runs/init", "{\"project\":\"" + project + "\",\"name\":\"mine\","
                + "\"fork_from\":\"" + source.get("run_id").textValue() + "\"}"));
        assertThat(named.get("name").textValue()).isEqualTo("mine");
        assertMatches(
                expect(404, http.post("/api/runs/init", "{\"project\":\"" + project + "\",\"fork_from\":\"NOPE-1\"}")),
                "{\"detail\":\"Run 'NOPE-1' not found in project '" + project + "'\"}");
    }

    // ------------------------------------------------------------------ HTTP details

    @Test
    void collectionUrlsWithoutTheTrailingSlashRedirect() {
        Http.Reply runs = http.get("/api/runs?limit=1");
        assertThat(runs.status()).isEqualTo(307);
        assertThat(runs.location()).endsWith("/api/runs/?limit=1");
        Http.Reply projects = http.get("/api/projects");
        assertThat(projects.status()).isEqualTo(307);
        assertThat(projects.location()).endsWith("/api/projects/");
    }

    @Test
    void unknownPathsAre404AndWrongMethods405() {
        assertMatches(expect(404, http.get("/api/nope")), "{\"detail\":\"Not Found\"}");
        assertMatches(expect(405, http.delete("/api/health")), "{\"detail\":\"Method Not Allowed\"}");
    }

    @Test
    void invalidBodiesAre422WithPydanticErrors() {
        assertMatches(expect(422, http.post("/api/runs/init", "{\"name\":\"x\"}")),
                "{\"detail\":[{\"type\":\"missing\",\"loc\":[\"body\",\"project\"],\"msg\":\"Field required\","
                        + "\"input\":{\"name\":\"x\"}}]}");
        assertMatches(expect(422, http.post("/api/runs/init", "{\"project\":5,\"config\":[1]}")),
                "{\"detail\":[{\"type\":\"string_type\",\"loc\":[\"body\",\"project\"],"
                        + "\"msg\":\"Input should be a valid string\",\"input\":5},"
                        + "{\"type\":\"dict_type\",\"loc\":[\"body\",\"config\"],"
                        + "\"msg\":\"Input should be a valid dictionary\",\"input\":[1]}]}");
        JsonNode invalidJson = expect(422, http.post("/api/runs/init", "{\"project\":"));
        assertThat(invalidJson.at("/detail/0/type").textValue()).isEqualTo("json_invalid");
        assertThat(invalidJson.at("/detail/0/msg").textValue()).isEqualTo("JSON decode error");
        assertThat(invalidJson.at("/detail/0/loc/0").textValue()).isEqualTo("body");

        long id = newRun("invalid");
        assertMatches(expect(422, http.post(run(id) + "/log", "{\"metrics\":{\"a\":1},\"step\":1.5}")),
                "{\"detail\":[{\"type\":\"int_from_float\",\"loc\":[\"body\",\"step\"],"
                        + "\"msg\":\"Input should be a valid integer, got a number with a fractional part\","
                        + "\"input\":1.5}]}");
        assertMatches(expect(422, http.post(run(id) + "/log/batch", "{\"entries\":[{\"step\":1}]}")),
                "{\"detail\":[{\"type\":\"missing\",\"loc\":[\"body\",\"entries\",0,\"metrics\"],"
                        + "\"msg\":\"Field required\",\"input\":{\"step\":1}}]}");
        assertMatches(expect(422, http.get("/api/runs/abc")),
                "{\"detail\":[{\"type\":\"int_parsing\",\"loc\":[\"path\",\"run_id\"],"
                        + "\"msg\":\"Input should be a valid integer, unable to parse string as an integer\","
                        + "\"input\":\"abc\"}]}");
        assertMatches(expect(422, http.postEmpty(run(id) + "/log")),
                "{\"detail\":[{\"type\":\"missing\",\"loc\":[\"body\"],\"msg\":\"Field required\",\"input\":null}]}");
    }

    @Test
    void jsonSyntaxErrorsArePythonsWithTheirPositions() {
        String[][] cases = { { "{\"project\":\"x\",}", "15", "Expecting property name enclosed in double quotes" },
                { "{\"project\" \"x\"}", "11", "Expecting ':' delimiter" },
                { "{\"project\":\"x\" \"y\":1}", "15", "Expecting ',' delimiter" },
                { "{\"project\":\"open}", "11", "Unterminated string starting at" }, { "{} x", "3", "Extra data" },
                { "   ", "3", "Expecting value" }, { "[1,]", "3", "Expecting value" },
                { "{\"metrics\":{\"a\":+Infinity}}", "16", "Expecting value" }, };
        for (String[] c : cases) {
            assertMatches(expect(422, http.post("/api/runs/init", c[0])),
                    "{\"detail\":[{\"type\":\"json_invalid\",\"loc\":[\"body\"," + c[1]
                            + "],\"msg\":\"JSON decode error\"," + "\"input\":{},\"ctx\":{\"error\":\"" + c[2]
                            + "\"}}]}");
        }
    }

    @Test
    void unusualStepsAreCoercedRejectedOr500LikePydanticAndDuckDbDo() {
        long id = newRun("steps");
        expect(200, http.post(run(id) + "/log", "{\"metrics\":{\"a\":1.0},\"step\":\"1.0\"}"));
        expect(200, http.post(run(id) + "/log", "{\"metrics\":{\"a\":1.0},\"step\":\" 2 \"}"));
        expect(200, http.post(run(id) + "/log", "{\"metrics\":{\"a\":1.0},\"step\":3.0}"));
        expect(200, http.post(run(id) + "/log", "{\"metrics\":{\"a\":1.0},\"step\":false}"));
        assertThat(http.post(run(id) + "/log", "{\"metrics\":{\"a\":1.0},\"step\":true}").status()).as("true is step 1")
            .isEqualTo(409);
        assertMatches(expect(200, http.get(run(id) + "/metrics/a?step=1.0")),
                "{\"key\":\"a\",\"value\":1.0,\"step\":1}");
        assertThat(expect(200, http.get("/api/metrics/runs/" + id + "/metric/a")).get("data"))
            .extracting(n -> n.get("step").intValue())
            .containsExactly(0, 1, 2, 3);
        assertMatches(expect(500, http.post(run(id) + "/log", "{\"metrics\":{\"b\":1.0},\"step\":NaN}")),
                "{\"detail\":\"Internal server error\"}");
        JsonNode huge = expect(422, http.post(run(id) + "/log", "{\"metrics\":{\"b\":1.0},\"step\":1e20}"));
        assertThat(huge.at("/detail/0/type").textValue()).isEqualTo("int_parsing_size");
        assertThat(huge.at("/detail/0/msg").textValue())
            .isEqualTo("Unable to parse input string as an integer, exceeded maximum size");
        assertMatches(expect(500, http.post(run(id) + "/log", "{\"metrics\":{\"b\":1.0},\"step\":1e18}")),
                "{\"detail\":\"Internal server error\"}");
        assertThat(http.get(run(id) + "/metrics/b").status()).isEqualTo(404);
    }

    @Test
    void entriesOfOneBatchAreNotCheckedAgainstEachOther() {
        long id = newRun("batch types");
        expect(200, http.post(run(id) + "/log/batch", "{\"entries\":[{\"metrics\":{\"u\":1}},"
                + "{\"metrics\":{\"u\":2},\"step\":1},{\"metrics\":{\"v\":1},\"step\":1},{\"metrics\":{\"v\":1.5},\"step\":2}]}"));
        assertMatches(expect(200, http.get("/api/metrics/runs/" + id)),
                "[{\"path\":\"u\",\"attribute_type\":\"int\"},{\"path\":\"v\",\"attribute_type\":\"int_series\"}]");
        assertMatches(expect(200, http.get(run(id) + "/metrics/u")), "{\"key\":\"u\",\"value\":2,\"step\":1}");
        JsonNode conflict = expect(409, http.post(run(id) + "/log", "{\"metrics\":{\"u\":3},\"step\":2}"));
        assertThat(conflict.at("/detail/conflicts/0").textValue())
            .startsWith("Metric 'u' already has scalar (summary) values");
        expect(200, http.post(run(id) + "/log", "{\"metrics\":{\"v\":2.5},\"step\":3}"));
    }

    @Test
    void headIsNotAllowedOnApiRoutes() {
        assertThat(http.call(new okhttp3.Request.Builder().url(baseUrl() + "/api/health").head().build()).status())
            .isEqualTo(405);
    }

    @Test
    void aTimestampGivenOnLogIsStored() {
        long id = newRun("timestamp");
        expect(200, http.post(run(id) + "/log",
                "{\"metrics\":{\"t\":1.0},\"step\":0,\"timestamp\":\"2024-05-06T07:08:09.123456Z\"}"));
        JsonNode values = expect(200, http.get("/api/metrics/runs/" + id + "/metric/t"));
        assertThat(values.at("/data/0/timestamp").textValue()).startsWith("2024-05-06T07:08:09.123456");
        expect(200, http.post(run(id) + "/log", "{\"metrics\":{\"t\":1.0},\"step\":1,\"timestamp\":\"1700000000\"}"));
        assertThat(expect(200, http.get("/api/metrics/runs/" + id + "/metric/t?step_min=1")).at("/data/0/timestamp")
            .textValue()).startsWith("2023-11-14T22:13:20");
        assertMatches(
                expect(422,
                        http.post(run(id) + "/log",
                                "{\"metrics\":{\"t\":1.0},\"step\":2,\"timestamp\":\"2024-13-01T00:00:00\"}")),
                "{\"detail\":[{\"type\":\"datetime_from_date_parsing\",\"loc\":[\"body\",\"timestamp\"],"
                        + "\"msg\":\"Input should be a valid datetime or date, month value is outside expected range of 1-12\","
                        + "\"input\":\"2024-13-01T00:00:00\",\"ctx\":{\"error\":\"month value is outside expected range of 1-12\"}}]}");
    }

    // ------------------------------------------------------------------ helpers

    /** Asserts the status and returns the parsed body. */
    static JsonNode expect(int status, Http.Reply reply) {
        assertThat(reply.status()).as("status of %s", reply.body()).isEqualTo(status);
        return reply.json();
    }

}
