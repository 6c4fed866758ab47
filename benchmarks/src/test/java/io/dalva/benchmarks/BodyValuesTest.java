package io.dalva.benchmarks;

import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.Summary;
import io.opentelemetry.proto.metrics.v1.SummaryDataPoint;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class BodyValuesTest {

    @Test
    void dalvaBatchCountsEveryScalarInsideMetricsButNotTheSteps() {
        String body = "{\"entries\":[{\"metrics\":{\"a/series=1/count\":3.0,\"a/series=1/sum\":0.5},\"step\":0},"
                + "{\"metrics\":{\"b/value\":1.0},\"step\":1}]}";

        assertThat(BodyValues.count("/api/runs/1/log/batch", null, utf8(body))).isEqualTo(3);
    }

    @Test
    void dalvaNestedMetricsCountTheirLeaves() {
        String body = "{\"metrics\":{\"http/method=GET\":{\"count\":3.0,\"sum\":0.12,\"max\":0.1},"
                + "\"metrics\":{\"value\":2.0}},\"step\":4,\"timestamp\":\"2026-01-01T00:00:00\"}";

        assertThat(BodyValues.count("/api/runs/1/log", null, utf8(body))).isEqualTo(4);
    }

    @Test
    void influxLinesCountTheirFieldsGzippedOrNot() throws IOException {
        String body = "bench_requests,series=1,metric_type=counter value=3 1700000000000\n"
                + "bench_latency,series=1,metric_type=histogram sum=1.5,count=3,mean=0.5,upper=0.9 1700000000000\n"
                + "odd\\ name,tag=a\\ b field=\"x, y\",other=1i 1700000000000\n";

        assertThat(BodyValues.count("/write", null, utf8(body))).isEqualTo(7);
        assertThat(BodyValues.count("/write", "gzip", gzip(utf8(body)))).isEqualTo(7);
    }

    @Test
    void otlpCountsGaugePointsAndSummaryParts() {
        Metric gauge = Metric.newBuilder()
            .setName("queue")
            .setGauge(Gauge.newBuilder()
                .addDataPoints(NumberDataPoint.newBuilder().setAsDouble(1))
                .addDataPoints(NumberDataPoint.newBuilder().setAsDouble(2)))
            .build();
        Metric summary = Metric.newBuilder()
            .setName("latency")
            .setSummary(Summary.newBuilder()
                .addDataPoints(SummaryDataPoint.newBuilder()
                    .setCount(3)
                    .setSum(1.5)
                    .addQuantileValues(SummaryDataPoint.ValueAtQuantile.newBuilder().setQuantile(0.5).setValue(0.4))
                    .addQuantileValues(SummaryDataPoint.ValueAtQuantile.newBuilder().setQuantile(0.99).setValue(0.9))))
            .build();
        byte[] body = ExportMetricsServiceRequest.newBuilder()
            .addResourceMetrics(ResourceMetrics.newBuilder()
                .addScopeMetrics(ScopeMetrics.newBuilder().addMetrics(gauge).addMetrics(summary)))
            .build()
            .toByteArray();

        assertThat(BodyValues.count("/v1/metrics", null, body)).isEqualTo(2 + 4);
    }

    @Test
    void anUnreadableOtlpBodyIsRefused() {
        assertThatIllegalArgumentException().isThrownBy(() -> BodyValues.count("/v1/metrics", null, utf8("{}{")));
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] gzip(byte[] bytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(bytes);
        }
        return out.toByteArray();
    }

}
