/**
 * JMH benchmarks of the registry, the run and the delivery path, side by side with
 * Micrometer's own registries (not published).
 */
package io.dalva.benchmarks;
