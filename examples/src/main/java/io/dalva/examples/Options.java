package io.dalva.examples;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code --name value} / {@code --name=value} options and positional arguments of a
 * command.
 */
final class Options {

    private final Map<String, String> values;

    private final List<String> positional;

    private Options(Map<String, String> values, List<String> positional) {
        this.values = values;
        this.positional = positional;
    }

    /** Parses {@code args}, accepting only the option names in {@code known}. */
    static Options parse(List<String> args, Set<String> known) {
        Map<String, String> values = new LinkedHashMap<>();
        List<String> positional = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (!arg.startsWith("--")) {
                positional.add(arg);
                continue;
            }
            String name = arg.substring(2);
            String value;
            int equals = name.indexOf('=');
            if (equals >= 0) {
                value = name.substring(equals + 1);
                name = name.substring(0, equals);
            }
            else if (i + 1 < args.size()) {
                value = args.get(++i);
            }
            else {
                throw new UsageException("option --" + name + " needs a value");
            }
            if (!known.contains(name)) {
                throw new UsageException("unknown option --" + name);
            }
            values.put(name, value);
        }
        return new Options(values, List.copyOf(positional));
    }

    List<String> positional() {
        return positional;
    }

    String get(String name) {
        return values.get(name);
    }

    String get(String name, String defaultValue) {
        return values.getOrDefault(name, defaultValue);
    }

    int getInt(String name, int defaultValue, int min, int max) {
        String value = values.get(name);
        if (value == null) {
            return defaultValue;
        }
        try {
            int parsed = Integer.parseInt(value.strip());
            if (parsed < min || parsed > max) {
                throw new UsageException("--" + name + " must be between " + min + " and " + max + ", was " + value);
            }
            return parsed;
        }
        catch (NumberFormatException e) {
            throw new UsageException("--" + name + " must be a whole number, was '" + value + "'");
        }
    }

    /**
     * A duration such as {@code 250ms}, {@code 2s}, {@code 1m}, {@code 0} or ISO-8601
     * {@code PT0.5S}.
     */
    Duration getDuration(String name, Duration defaultValue) {
        String value = values.get(name);
        if (value == null) {
            return defaultValue;
        }
        String text = value.strip().toLowerCase(Locale.ROOT);
        try {
            Duration parsed;
            if (text.startsWith("pt")) {
                parsed = Duration.parse(text.toUpperCase(Locale.ROOT));
            }
            else if (text.endsWith("ms")) {
                parsed = Duration.ofMillis(Long.parseLong(text.substring(0, text.length() - 2)));
            }
            else if (text.endsWith("s")) {
                parsed = Duration.ofMillis(Math.round(Double.parseDouble(text.substring(0, text.length() - 1)) * 1000));
            }
            else if (text.endsWith("m")) {
                parsed = Duration.ofSeconds(Long.parseLong(text.substring(0, text.length() - 1)) * 60);
            }
            else if (text.equals("0")) {
                parsed = Duration.ZERO;
            }
            else {
                throw new NumberFormatException();
            }
            if (parsed.isNegative()) {
                throw new UsageException("--" + name + " must not be negative, was " + value);
            }
            return parsed;
        }
        catch (NumberFormatException | DateTimeParseException e) {
            throw new UsageException(
                    "--" + name + " must be a duration like 100ms, 2s, 1m or PT0.5S, was '" + value + "'");
        }
    }

}
