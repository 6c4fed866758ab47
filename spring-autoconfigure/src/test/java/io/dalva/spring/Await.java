package io.dalva.spring;

import java.time.Duration;
import java.util.function.BooleanSupplier;

import io.dalva.micrometer.DalvaMeterRegistry;
import io.dalva.run.DalvaRun;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Waits for what the application does in the background (the run opens after the start).
 */
final class Await {

    private Await() {
    }

    static void until(BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition met within 20 s").isLessThan(deadline);
            try {
                Thread.sleep(20);
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(ex);
            }
        }
    }

    /** The registry's run, once it is open. */
    static DalvaRun run(DalvaMeterRegistry registry) {
        until(() -> registry.run() != null && registry.run().id() >= 0);
        return registry.run();
    }

}
