package io.dalva.spring;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.BinaryOperator;
import java.util.regex.Pattern;

import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.Environment;
import org.springframework.core.env.PropertySource;

/**
 * Masks what looks secret in the values sent as the run's configuration, before they
 * leave the application:
 * <ul>
 * <li>a value whose key names a secret, with Spring Boot's key patterns (password,
 * secret, key, token, credentials, vcap_services, sun.java.command,
 * spring.application.json) plus pwd and passwd, matched as words of the key
 * ({@code db.pwd}, {@code apiKey}, {@code api-key}, not {@code monkey});</li>
 * <li>the password of a URL's user info ({@code postgres://app:******@db/x}), a secret
 * parameter inside a value ({@code jdbc:...?user=app&password=******}) and the token of
 * an HTTP credential ({@code Bearer ******});</li>
 * <li>a value equal to the value of any property of the application whose name looks
 * secret;</li>
 * <li>then the application's own {@code SanitizingFunction} beans, as Spring Boot's
 * actuator endpoints apply them.</li>
 * </ul>
 */
final class RunConfigSanitizer {

    static final String MASK = "******";

    private static final Set<String> SECRET_WORDS = Set.of("password", "passwd", "pwd", "secret", "secrets", "key",
            "token", "credential", "credentials");

    private static final Set<String> SECRET_KEYS = Set.of("vcap_services", "vcap.services", "sun.java.command",
            "spring.application.json", "spring_application_json");

    private static final Pattern WORD_BOUNDARY = Pattern.compile("[^A-Za-z0-9]+|(?<=[a-z0-9])(?=[A-Z])");

    private static final Pattern URL_USER_INFO_PASSWORD = Pattern.compile("(://[^/@:\\s]*):[^/@\\s]*@");

    private static final Pattern SECRET_PARAMETER = Pattern.compile(
            "(?i)((?:^|[?&;,\\s])(?:password|passwd|pwd|secret|token|access[-_]?token|api[-_]?key|access[-_]?key)=)[^&;,\\s]*");

    private static final Pattern HTTP_CREDENTIAL = Pattern.compile("(?i)^(bearer|basic|token|digest)\\s+\\S.*$");

    private final Set<String> secretValues;

    private final List<BinaryOperator<String>> applicationFunctions;

    /**
     * @param secretValues values of the application's properties whose names look secret
     * @param applicationFunctions the application's sanitizing functions, each given the
     * key and the value and returning the value to send
     */
    RunConfigSanitizer(Set<String> secretValues, List<BinaryOperator<String>> applicationFunctions) {
        this.secretValues = Set.copyOf(secretValues);
        this.applicationFunctions = List.copyOf(applicationFunctions);
    }

    /**
     * A sanitizer that also masks the values of the environment's secret-looking
     * properties.
     */
    static RunConfigSanitizer of(Environment environment, List<BinaryOperator<String>> applicationFunctions) {
        return new RunConfigSanitizer(secretValues(environment), applicationFunctions);
    }

    /** Returns the value to send for this key. */
    String sanitize(String key, String value) {
        if (value == null) {
            return null;
        }
        String sanitized = (isSecretKey(key) || this.secretValues.contains(value)) ? MASK : maskInside(value);
        for (BinaryOperator<String> function : this.applicationFunctions) {
            String result = function.apply(key, sanitized);
            if (result != null && !result.equals(sanitized)) {
                return result;
            }
        }
        return sanitized;
    }

    /** Masks the secrets a value carries inside it (user info, parameters, tokens). */
    static String maskInside(String value) {
        if (HTTP_CREDENTIAL.matcher(value).matches()) {
            return value.substring(0, value.indexOf(' ') + 1).trim() + " " + MASK;
        }
        String masked = URL_USER_INFO_PASSWORD.matcher(value).replaceAll("$1:" + MASK + "@");
        return SECRET_PARAMETER.matcher(masked).replaceAll("$1" + MASK);
    }

    static boolean isSecretKey(String key) {
        String lowerCase = key.toLowerCase(Locale.ROOT);
        if (SECRET_KEYS.contains(lowerCase) || lowerCase.startsWith("vcap.services.")) {
            return true;
        }
        for (String word : WORD_BOUNDARY.split(key)) {
            if (SECRET_WORDS.contains(word.toLowerCase(Locale.ROOT))) {
                return true;
            }
        }
        return false;
    }

    private static Set<String> secretValues(Environment environment) {
        Set<String> values = new HashSet<>();
        if (!(environment instanceof ConfigurableEnvironment configurable)) {
            return values;
        }
        List<PropertySource<?>> sources = new ArrayList<>();
        configurable.getPropertySources().forEach(sources::add);
        for (PropertySource<?> source : sources) {
            if (source instanceof EnumerablePropertySource<?> enumerable) {
                for (String name : enumerable.getPropertyNames()) {
                    if (isSecretKey(name)) {
                        Object value = enumerable.getProperty(name);
                        if (value != null && isMaskable(value.toString())) {
                            values.add(value.toString());
                        }
                    }
                }
            }
        }
        return values;
    }

    /** Values too common to mask wherever they appear. */
    private static boolean isMaskable(String value) {
        return !value.isBlank() && !value.equalsIgnoreCase("true") && !value.equalsIgnoreCase("false");
    }

}
