/**
 * A Spring Boot web application that exports its metrics to Dalva with properties only
 * (not published).
 */
package io.dalva.examples.spring;
