package io.dalva.spring;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.boot.SpringBootVersion;
import org.springframework.core.env.Environment;

/**
 * The configuration recorded with the application's run: what describes the application
 * (name, active profiles, Spring Boot, Micrometer and Java versions, host name), then the
 * user's {@code dalva.run.config.*}, which wins on equal keys. A resumed run gets the
 * user's configuration only: it keeps the description of its first start, since the
 * server cannot change a key's value (a new host name or version would make the resume
 * fail). Values of keys that look secret are masked, like Spring Boot's sanitizer did by
 * key name, and so is the password of a URL's user info.
 */
final class ApplicationRunConfig {

    static final String MASK = "******";

    private static final String[] SECRET_KEY_ENDINGS = { "password", "passwd", "secret", "key", "token" };

    private static final String[] SECRET_KEY_PARTS = { "credentials", "credential", "private" };

    private static final Pattern URL_USER_INFO_PASSWORD = Pattern.compile("(://[^/@:\\s]*):[^/@\\s]*@");

    private ApplicationRunConfig() {
    }

    static Map<String, String> forResume(Map<String, String> userConfig) {
        Map<String, String> config = new LinkedHashMap<>();
        userConfig.forEach((key, value) -> config.put(key, sanitize(key, value)));
        return Collections.unmodifiableMap(config);
    }

    static Map<String, String> of(Map<String, String> userConfig, String applicationName, Environment environment) {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("application.name", applicationName);
        String[] profiles = environment.getActiveProfiles();
        config.put("application.profiles",
                String.join(",", (profiles.length > 0) ? profiles : environment.getDefaultProfiles()));
        putIfKnown(config, "spring-boot.version", SpringBootVersion.getVersion());
        putIfKnown(config, "micrometer.version", MeterRegistry.class.getPackage().getImplementationVersion());
        putIfKnown(config, "java.version", System.getProperty("java.version"));
        putIfKnown(config, "host.name", hostName());
        userConfig.forEach((key, value) -> config.put(key, sanitize(key, value)));
        return Collections.unmodifiableMap(config);
    }

    /**
     * Returns {@link #MASK} for a value whose key looks secret, the value with any URL
     * password masked otherwise.
     */
    static String sanitize(String key, String value) {
        if (value == null) {
            return null;
        }
        String normalized = key.toLowerCase(Locale.ROOT).replace("-", "").replace("_", "");
        for (String ending : SECRET_KEY_ENDINGS) {
            if (normalized.endsWith(ending)) {
                return MASK;
            }
        }
        for (String part : SECRET_KEY_PARTS) {
            if (normalized.contains(part)) {
                return MASK;
            }
        }
        return URL_USER_INFO_PASSWORD.matcher(value).replaceAll("$1:" + MASK + "@");
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
