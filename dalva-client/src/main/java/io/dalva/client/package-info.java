/**
 * Dalva's HTTP API: {@link io.dalva.client.DalvaClient}, one typed method per endpoint,
 * its request and response records, and the unchecked
 * {@link io.dalva.client.DalvaException}s that report the server's answers.
 */
package io.dalva.client;
