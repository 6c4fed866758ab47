/**
 * Runnable demos (not published): a training loop logged through the registry.
 */
package io.dalva.examples;
