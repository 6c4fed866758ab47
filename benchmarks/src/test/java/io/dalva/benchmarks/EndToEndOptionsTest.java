package io.dalva.benchmarks;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class EndToEndOptionsTest {

    @Test
    void aRealServerGetsFewerValuesByDefaultThanTheTestServer() {
        assertThat(EndToEnd.Options.parse(new String[] { "--server-url", "http://dalva:8000" }))
            .isEqualTo(new EndToEnd.Options("http://dalva:8000", "dalva-e2e", 2_000, 500, 100, 0));
        assertThat(EndToEnd.Options.parse(new String[0]).values()).isEqualTo(100_000);
    }

    @Test
    void everyOptionIsRead() {
        assertThat(EndToEnd.Options.parse(new String[] { "--project", "p", "--values", "600", "--batch-size", "50",
                "--meters", "30", "--server-url", "http://x" }))
            .isEqualTo(new EndToEnd.Options("http://x", "p", 600, 50, 30, 0));
    }

    @Test
    void theTestServerCanTakeTheRealServersTimePerValue() {
        assertThat(EndToEnd.Options.parse(new String[] { "--server-latency-micros", "5000" }).latencyMicros())
            .isEqualTo(5000);
        assertThatIllegalArgumentException()
            .isThrownBy(() -> EndToEnd.Options
                .parse(new String[] { "--server-url", "http://x", "--server-latency-micros", "5000" }))
            .withMessageContaining("for the test server");
    }

    @Test
    void badOptionsAreRefusedWithTheReason() {
        assertThatIllegalArgumentException().isThrownBy(() -> EndToEnd.Options.parse(new String[] { "--values", "15" }))
            .withMessageContaining("multiple of 10");
        assertThatIllegalArgumentException()
            .isThrownBy(() -> EndToEnd.Options.parse(new String[] { "--batch-size", "0" }))
            .withMessage("--batch-size must be a positive whole number, got 0");
        assertThatIllegalArgumentException().isThrownBy(() -> EndToEnd.Options.parse(new String[] { "--server-url" }))
            .withMessage("--server-url needs a value");
        assertThatIllegalArgumentException().isThrownBy(() -> EndToEnd.Options.parse(new String[] { "--fast" }))
            .withMessage("unknown option --fast");
    }

}
