/**
 * Spring Boot auto-configuration: {@code dalva.*} properties, one Dalva run per
 * application start, finished when the application stops (failed when it fails).
 */
package io.dalva.spring;
