package io.dalva.spring;

import io.dalva.micrometer.DalvaMeterRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A user's {@code @SpringBootTest} opens no run: Spring Boot's test support sets
 * {@code management.defaults.metrics.export.enabled=false} (on Boot 4 with
 * {@code spring-boot-starter-actuator-test}), which the auto-configuration honours. The
 * server URL points at a closed port, so a registry, had one been created, would show.
 */
@SpringBootTest(classes = SpringBootTestOpensNoRunTests.Application.class,
        properties = "dalva.server-url=http://127.0.0.1:9")
class SpringBootTestOpensNoRunTests {

    @Autowired
    private ApplicationContext context;

    @Test
    void metricsGoToBootsSimpleRegistryInstead() {
        assertThat(this.context.getBeanProvider(DalvaMeterRegistry.class).getIfAvailable()).isNull();
        assertThat(this.context.getBean(MeterRegistry.class)).isInstanceOf(SimpleMeterRegistry.class);
    }

    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    static class Application {

    }

}
