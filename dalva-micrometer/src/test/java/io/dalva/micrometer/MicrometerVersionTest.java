package io.dalva.micrometer;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The build runs this module's tests once per supported Micrometer line; this proves each
 * run really has the Micrometer it claims on its classpath.
 */
class MicrometerVersionTest {

    @Test
    void runsAgainstTheExpectedMicrometer() {
        String expected = System.getProperty("dalva.test.micrometerVersion");
        assertThat(expected).as("set by the surefire execution").isNotBlank();
        String jar = MeterRegistry.class.getProtectionDomain().getCodeSource().getLocation().getPath();
        assertThat(jar).endsWith("micrometer-core-" + expected + ".jar");
    }

}
