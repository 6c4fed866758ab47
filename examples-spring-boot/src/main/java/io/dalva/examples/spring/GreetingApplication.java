package io.dalva.examples.spring;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * A Spring Boot web application whose metrics go to Dalva with properties only
 * ({@code application.properties}): each start of the application is one Dalva run,
 * completed when it stops.
 */
@SpringBootApplication
@RestController
public class GreetingApplication {

    private final Counter greetings;

    GreetingApplication(MeterRegistry registry) {
        this.greetings = Counter.builder("greetings").description("Greetings served").register(registry);
    }

    @GetMapping("/greeting")
    String greeting(@RequestParam(defaultValue = "world") String name) {
        this.greetings.increment();
        return "Hello, " + name + "!";
    }

    public static void main(String[] args) {
        SpringApplication.run(GreetingApplication.class, args);
    }

}
