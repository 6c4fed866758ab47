package io.dalva.benchmarks;

import io.dalva.micrometer.DalvaConfig;
import io.dalva.micrometer.StepMode;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class DalvaSettingsTest {

    private final DalvaConfig defaults = new DalvaConfig() {
        @Override
        public String get(String key) {
            return null;
        }
    };

    @Test
    void manualStepsToTheGivenServerAndSpoolWithTheRegistrysOtherDefaults() {
        DalvaConfig config = DalvaSettings.manualSteps("http://127.0.0.1:1234", Path.of("/tmp/spool"));

        assertThat(config.validate().isValid()).isTrue();
        assertThat(config.serverUrl()).isEqualTo("http://127.0.0.1:1234");
        assertThat(config.project()).isEqualTo("bench");
        assertThat(config.stepMode()).isEqualTo(StepMode.MANUAL);
        assertThat(config.spoolDirectory()).isEqualTo("/tmp/spool");
        assertThat(config.batchSize()).isEqualTo(defaults.batchSize());
        assertThat(config.baseTimeUnit()).isEqualTo(defaults.baseTimeUnit());
    }

    @Test
    void aGivenBatchSizeAndProject() {
        DalvaConfig config = DalvaSettings.manualSteps("http://127.0.0.1:1234", "e2e", Path.of("/tmp/spool"), 500);

        assertThat(config.validate().isValid()).isTrue();
        assertThat(config.project()).isEqualTo("e2e");
        assertThat(config.batchSize()).isEqualTo(500);
    }

}
