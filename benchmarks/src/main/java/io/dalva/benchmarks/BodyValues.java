package io.dalva.benchmarks;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.google.protobuf.InvalidProtocolBufferException;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.SummaryDataPoint;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPInputStream;

/**
 * Counts the metric values in a request body, by the protocol its path names, so the sink
 * can report bytes per value on the wire:
 * <ul>
 * <li>Influx ({@code /write}, line protocol, gzipped or not): one value per field of each
 * line;</li>
 * <li>OTLP ({@code /v1/metrics}, protobuf): one per gauge or sum data point; count, sum,
 * min and max (those present) and one per bucket or quantile of a histogram or summary
 * data point;</li>
 * <li>anything else is Dalva's JSON ({@code /log}, {@code /log/batch}): every scalar
 * inside a {@code metrics} object, nested objects included.</li>
 * </ul>
 */
final class BodyValues {

    private static final JsonFactory JSON = new JsonFactory();

    private BodyValues() {
    }

    static long count(String path, String contentEncoding, byte[] body) {
        byte[] plain = "gzip".equalsIgnoreCase(contentEncoding) ? gunzip(body) : body;
        if (path.endsWith("/write")) {
            return lineProtocol(new String(plain, StandardCharsets.UTF_8));
        }
        if (path.endsWith("/v1/metrics")) {
            return otlp(plain);
        }
        return dalvaJson(plain);
    }

    /** Fields of every line: {@code measurement,tag=v field=1,other=2 timestamp}. */
    static long lineProtocol(String body) {
        long values = 0;
        for (String line : body.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int fieldsStart = unescapedSpace(line, 0) + 1;
            int fieldsEnd = unescapedSpace(line, fieldsStart);
            String fields = line.substring(fieldsStart, fieldsEnd < 0 ? line.length() : fieldsEnd);
            values += 1 + unescapedCommas(fields);
        }
        return values;
    }

    static long otlp(byte[] body) {
        ExportMetricsServiceRequest request;
        try {
            request = ExportMetricsServiceRequest.parseFrom(body);
        }
        catch (InvalidProtocolBufferException ex) {
            throw new IllegalArgumentException("not an OTLP metrics request", ex);
        }
        long values = 0;
        for (ResourceMetrics resource : request.getResourceMetricsList()) {
            for (ScopeMetrics scope : resource.getScopeMetricsList()) {
                for (Metric metric : scope.getMetricsList()) {
                    values += otlpValues(metric);
                }
            }
        }
        return values;
    }

    /** Scalars inside every {@code metrics} object of the body. */
    static long dalvaJson(byte[] body) {
        long values = 0;
        try (JsonParser parser = JSON.createParser(body)) {
            int depth = 0;
            int metricsDepth = -1;
            boolean metricsNext = false;
            for (JsonToken token; (token = parser.nextToken()) != null;) {
                if (token == JsonToken.FIELD_NAME) {
                    metricsNext = metricsDepth < 0 && parser.currentName().equals("metrics");
                    continue;
                }
                if (token.isStructStart()) {
                    depth++;
                    if (metricsNext) {
                        metricsDepth = depth;
                    }
                }
                else if (token.isStructEnd()) {
                    if (depth == metricsDepth) {
                        metricsDepth = -1;
                    }
                    depth--;
                }
                else if (metricsDepth > 0) {
                    values++;
                }
                metricsNext = false;
            }
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return values;
    }

    private static long otlpValues(Metric metric) {
        return switch (metric.getDataCase()) {
            case GAUGE -> metric.getGauge().getDataPointsCount();
            case SUM -> metric.getSum().getDataPointsCount();
            case HISTOGRAM ->
                metric.getHistogram().getDataPointsList().stream().mapToLong(BodyValues::histogramValues).sum();
            case EXPONENTIAL_HISTOGRAM -> metric.getExponentialHistogram()
                .getDataPointsList()
                .stream()
                .mapToLong(BodyValues::exponentialValues)
                .sum();
            case SUMMARY -> metric.getSummary().getDataPointsList().stream().mapToLong(BodyValues::summaryValues).sum();
            case DATA_NOT_SET -> 0;
        };
    }

    private static long histogramValues(HistogramDataPoint point) {
        return 1 + (point.hasSum() ? 1 : 0) + (point.hasMin() ? 1 : 0) + (point.hasMax() ? 1 : 0)
                + point.getBucketCountsCount();
    }

    private static long exponentialValues(ExponentialHistogramDataPoint point) {
        return 2 + (point.hasSum() ? 1 : 0) + (point.hasMin() ? 1 : 0) + (point.hasMax() ? 1 : 0)
                + point.getPositive().getBucketCountsCount() + point.getNegative().getBucketCountsCount();
    }

    private static long summaryValues(SummaryDataPoint point) {
        return 2 + point.getQuantileValuesCount();
    }

    private static int unescapedSpace(String line, int from) {
        boolean quoted = false;
        for (int i = from; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\\') {
                i++;
            }
            else if (c == '"') {
                quoted = !quoted;
            }
            else if (c == ' ' && !quoted) {
                return i;
            }
        }
        return -1;
    }

    private static int unescapedCommas(String fields) {
        int commas = 0;
        boolean quoted = false;
        for (int i = 0; i < fields.length(); i++) {
            char c = fields.charAt(i);
            if (c == '\\') {
                i++;
            }
            else if (c == '"') {
                quoted = !quoted;
            }
            else if (c == ',' && !quoted) {
                commas++;
            }
        }
        return commas;
    }

    private static byte[] gunzip(byte[] body) {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
            return in.readAllBytes();
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

}
