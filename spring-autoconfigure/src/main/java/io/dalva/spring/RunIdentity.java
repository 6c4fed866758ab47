package io.dalva.spring;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.boot.SpringBootVersion;
import org.springframework.core.env.Environment;

/**
 * Who the run belongs to, worked out when the run opens (after the web server has its
 * port): its default name, the application's name and instance
 * ({@code orders@web-1:8080}, or {@code orders@web-1 pid 4242} without a web server), and
 * the configuration that describes the application (name, instance, profiles, versions),
 * followed by the user's {@code dalva.run.config.*}, which wins on equal keys. Every
 * value goes through the {@link RunConfigSanitizer}.
 * <p>
 * A resumed run gets the user's configuration only: it keeps the description of its first
 * start, since the server cannot change a key's value (a new host or port would make the
 * resume fail).
 */
final class RunIdentity {

    private final String applicationName;

    private final Environment environment;

    private final DalvaProperties properties;

    private final RunConfigSanitizer sanitizer;

    RunIdentity(String applicationName, Environment environment, DalvaProperties properties,
            RunConfigSanitizer sanitizer) {
        this.applicationName = applicationName;
        this.environment = environment;
        this.properties = properties;
        this.sanitizer = sanitizer;
    }

    /** The run's name: {@code dalva.run.name}, else the application and its instance. */
    String runName() {
        String name = this.properties.getRun().getName();
        return (name != null) ? name : this.applicationName + "@" + instance();
    }

    /** The configuration recorded when the run opens. */
    Map<String, String> runConfig() {
        Map<String, String> config = new LinkedHashMap<>();
        if (this.properties.getRun().getResumeFrom() == null) {
            config.put("application.name", this.applicationName);
            String[] profiles = this.environment.getActiveProfiles();
            config.put("application.profiles",
                    String.join(",", (profiles.length > 0) ? profiles : this.environment.getDefaultProfiles()));
            putIfKnown(config, "host.name", hostName());
            config.put("process.pid", Long.toString(ProcessHandle.current().pid()));
            putIfKnown(config, "server.port", this.environment.getProperty("local.server.port"));
            putIfKnown(config, "spring-boot.version", SpringBootVersion.getVersion());
            putIfKnown(config, "micrometer.version", MeterRegistry.class.getPackage().getImplementationVersion());
            putIfKnown(config, "java.version", System.getProperty("java.version"));
        }
        config.putAll(this.properties.getRun().getConfig());
        config.replaceAll(this.sanitizer::sanitize);
        config.values().removeIf((value) -> value == null);
        return Collections.unmodifiableMap(config);
    }

    /**
     * What the run's configuration says about a failure: {@code failure/exception} (its
     * class) and {@code failure/message}, sanitized.
     */
    Map<String, String> failureConfig(Throwable failure) {
        Map<String, String> config = new LinkedHashMap<>();
        if (!(failure instanceof DalvaRunLifecycle.ApplicationFailure)) {
            config.put("failure/exception", failure.getClass().getName());
        }
        String message = failure.getMessage();
        if (message != null && !message.isBlank()) {
            config.put("failure/message", this.sanitizer.sanitize("failure/message", message));
        }
        return config;
    }

    private String instance() {
        String host = hostName();
        String port = this.environment.getProperty("local.server.port");
        String where = (host != null) ? host : "localhost";
        return (port != null) ? where + ":" + port : where + " pid " + ProcessHandle.current().pid();
    }

    private static void putIfKnown(Map<String, String> config, String key, String value) {
        if (value != null && !value.isBlank()) {
            config.put(key, value);
        }
    }

    /**
     * The host name, from the environment when the platform sets it (no DNS lookup), else
     * from the local address.
     */
    private static String hostName() {
        String fromEnvironment = System.getenv("HOSTNAME");
        if (fromEnvironment == null || fromEnvironment.isBlank()) {
            fromEnvironment = System.getenv("COMPUTERNAME");
        }
        if (fromEnvironment != null && !fromEnvironment.isBlank()) {
            return fromEnvironment;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        }
        catch (UnknownHostException ex) {
            return null;
        }
    }

}
