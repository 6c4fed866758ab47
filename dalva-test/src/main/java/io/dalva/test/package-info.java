/**
 * {@link io.dalva.test.DalvaTestServer}: an in-process server that follows Dalva's HTTP
 * contract, with fault injection and a JUnit 5 extension, for tests that run without
 * Python.
 */
package io.dalva.test;
