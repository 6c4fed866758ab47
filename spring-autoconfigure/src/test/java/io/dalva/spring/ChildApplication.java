package io.dalva.spring;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import io.dalva.micrometer.DalvaMeterRegistry;
import io.micrometer.core.instrument.Counter;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;

/**
 * An application that {@link ProcessLifecycleTests} starts in a child JVM, so that it can
 * be killed or stopped as a real process is. The first argument picks what it does, the
 * others are the application's:
 * <ul>
 * <li>{@code steps}: publishes a manual step every few milliseconds and prints
 * {@code stepped N} once step N is in the journal, until it is killed;</li>
 * <li>{@code idle}: prints {@code started} and waits to be stopped;</li>
 * <li>{@code threads}: waits for its run, closes, then prints the threads of ours,
 * OkHttp's and Okio's still alive a while later ({@code leftover [...]}).</li>
 * </ul>
 */
public final class ChildApplication {

    private ChildApplication() {
    }

    public static void main(String[] args) throws Exception {
        SpringApplication application = new SpringApplication(Application.class);
        application.setWebApplicationType(WebApplicationType.NONE);
        ConfigurableApplicationContext context = application.run(Arrays.copyOfRange(args, 1, args.length));
        switch (args[0]) {
            case "steps" -> steps(context.getBean(DalvaMeterRegistry.class));
            case "idle" -> {
                System.out.println("started");
                Thread.sleep(Long.MAX_VALUE);
            }
            case "threads" -> {
                Await.run(context.getBean(DalvaMeterRegistry.class));
                context.close();
                System.out.println("leftover " + awaitNoThreadOfOurs(Duration.ofSeconds(150)));
                System.exit(0);
            }
            default -> throw new IllegalArgumentException(args[0]);
        }
    }

    private static void steps(DalvaMeterRegistry registry) throws InterruptedException {
        Counter work = Counter.builder("work").register(registry);
        for (int step = 0;; step++) {
            work.increment();
            registry.step();
            System.out.println("stepped " + step);
            Thread.sleep(10);
        }
    }

    /**
     * The names of the threads still alive when the time is up, none if they all ended;
     * prints {@code gone NAME SECONDS} as each name disappears.
     */
    static List<String> awaitNoThreadOfOurs(Duration time) throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + time.toNanos();
        List<String> left = threadsOfOurs();
        while (!left.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(200);
            List<String> now = threadsOfOurs();
            for (String name : left) {
                if (!now.contains(name)) {
                    System.out.println("gone " + name + " " + (System.nanoTime() - start) / 1_000_000_000);
                }
            }
            left = now;
        }
        return left;
    }

    static List<String> threadsOfOurs() {
        return Thread.getAllStackTraces()
            .keySet()
            .stream()
            .filter(Thread::isAlive)
            .map(Thread::getName)
            .filter((name) -> name.startsWith("dalva-") || name.startsWith("OkHttp") || name.startsWith("Okio"))
            .distinct()
            .sorted()
            .toList();
    }

    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    static class Application {

    }

}
