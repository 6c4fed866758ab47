package io.dalva.cli;

import io.dalva.client.internal.Defaults;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A command's arguments: {@code --name value} or {@code --name=value} options, and the
 * positional ones.
 */
final class Arguments {

    private final Map<String, String> options;

    private final List<String> positional;

    private Arguments(Map<String, String> options, List<String> positional) {
        this.options = Map.copyOf(options);
        this.positional = List.copyOf(positional);
    }

    /** Parses {@code args}, accepting only the option names in {@code known}. */
    static Arguments parse(List<String> args, Set<String> known) {
        Map<String, String> options = new LinkedHashMap<>();
        List<String> positional = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (!arg.startsWith("--")) {
                positional.add(arg);
                continue;
            }
            String name = arg.substring(2);
            String value = null;
            int equals = name.indexOf('=');
            if (equals >= 0) {
                value = name.substring(equals + 1);
                name = name.substring(0, equals);
            }
            if (!known.contains(name)) {
                throw new UsageException("unknown option --" + name);
            }
            if (value == null) {
                if (i + 1 >= args.size()) {
                    throw new UsageException("option --" + name + " needs a value");
                }
                value = args.get(++i);
            }
            if (options.put(name, value) != null) {
                throw new UsageException("option --" + name + " is given twice");
            }
        }
        return new Arguments(options, positional);
    }

    /**
     * The spool folder: the one positional argument, else
     * {@link Defaults#spoolDirectory()}.
     */
    Path spoolFolder() {
        if (positional.size() > 1) {
            throw new UsageException("one spool folder at most, got " + String.join(" ", positional));
        }
        return positional.isEmpty() ? Defaults.spoolDirectory() : Path.of(positional.get(0));
    }

    /** A {@code true} or {@code false} option; anything else is a usage error. */
    boolean bool(String name, boolean defaultValue) {
        String value = options.get(name);
        if (value == null) {
            return defaultValue;
        }
        return switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new UsageException("--" + name + " must be true or false, was '" + value + "'");
        };
    }

    /** The option's value, or {@code null}. */
    String get(String name) {
        return options.get(name);
    }

    /**
     * A duration option such as {@code 250ms}, {@code 2s}, {@code 1.5s}, {@code 10m},
     * {@code 0} or ISO-8601 {@code PT0.5S}.
     */
    Duration duration(String name, Duration defaultValue) {
        String value = options.get(name);
        if (value == null) {
            return defaultValue;
        }
        String text = value.strip().toLowerCase(Locale.ROOT);
        Duration parsed;
        try {
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
                parsed = Duration.ofSeconds(Math.round(Double.parseDouble(text.substring(0, text.length() - 1)) * 60));
            }
            else if (text.equals("0")) {
                parsed = Duration.ZERO;
            }
            else {
                throw new NumberFormatException(text);
            }
        }
        catch (NumberFormatException | DateTimeParseException e) {
            throw new UsageException(
                    "--" + name + " must be a duration like 500ms, 30s, 10m or PT1M, was '" + value + "'");
        }
        if (parsed.isNegative()) {
            throw new UsageException("--" + name + " must not be negative, was '" + value + "'");
        }
        return parsed;
    }

}
