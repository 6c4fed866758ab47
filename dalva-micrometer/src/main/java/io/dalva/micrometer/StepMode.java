package io.dalva.micrometer;

/**
 * When a {@link DalvaMeterRegistry} publishes a Dalva step.
 */
public enum StepMode {

    /**
     * A step every {@link DalvaConfig#step()}, on Micrometer's publishing schedule, and a
     * final partial step on close.
     */
    TIMED,

    /**
     * A step only when the application calls {@link DalvaMeterRegistry#step()} or
     * {@link DalvaMeterRegistry#step(int)} (for example once per training epoch), and a
     * final step on close if anything was recorded since the last one.
     */
    MANUAL

}
