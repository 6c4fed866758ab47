package io.dalva.benchmarks;

import io.micrometer.core.instrument.Clock;
import io.micrometer.influx.InfluxConfig;
import io.micrometer.influx.InfluxMeterRegistry;
import io.micrometer.registry.otlp.OtlpConfig;
import io.micrometer.registry.otlp.OtlpMeterRegistry;

import java.util.Map;

/**
 * Micrometer's Influx and OTLP registries with their defaults except the URL, a one-hour
 * step (so their own schedulers never fire during a benchmark) and no database creation
 * for Influx, and with {@code publish()} callable directly.
 */
final class PeerRegistries {

    private PeerRegistries() {
    }

    static Influx influx(String sinkUrl, Clock clock) {
        Map<String, String> config = Map.of("influx.uri", sinkUrl, "influx.db", "bench", "influx.autoCreateDb", "false",
                "influx.step", "1h");
        return new Influx(config::get, clock);
    }

    static Otlp otlp(String sinkUrl, Clock clock) {
        Map<String, String> config = Map.of("otlp.url", sinkUrl + "/v1/metrics", "otlp.step", "1h");
        return new Otlp(config::get, clock);
    }

    /**
     * {@link InfluxMeterRegistry} (line protocol, gzip by default, over
     * HttpURLConnection).
     */
    static final class Influx extends InfluxMeterRegistry {

        Influx(InfluxConfig config, Clock clock) {
            super(config, clock);
        }

        void publishNow() {
            publish();
        }

    }

    /**
     * {@link OtlpMeterRegistry} (protobuf, cumulative temporality by default, over
     * HttpURLConnection).
     */
    static final class Otlp extends OtlpMeterRegistry {

        Otlp(OtlpConfig config, Clock clock) {
            super(config, clock);
        }

        void publishNow() {
            publish();
        }

    }

}
