/**
 * The Micrometer registry: {@link io.dalva.micrometer.DalvaMeterRegistry} publishes every
 * meter as metrics of one Dalva run, one Dalva step per publish, configured by
 * {@link io.dalva.micrometer.DalvaConfig}.
 */
package io.dalva.micrometer;
