package io.dalva.client;

import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One value or key a write conflicts with (in a {@link DalvaConflictException}): what
 * kind of conflict, on which path, at which step, in the server's words.
 *
 * @param entry the index of the entry in a {@code logBatch} request, or {@code null}
 * outside a batch
 * @param path the metric path or config key, or {@code null} when the text names none
 * @param step the step of an {@link Kind#ALREADY_EXISTS} or {@link Kind#SCALAR_VS_SERIES}
 * conflict, or {@code null} (a scalar, a config key, or a text that names no step)
 * @param kind what conflicts
 * @param text the server's sentence (without a batch's {@code "Entry N: "} prefix), or
 * the client's own when it checked first
 */
public record Conflict(Integer entry, String path, Integer step, Kind kind, String text) {

    private static final Pattern ENTRY = Pattern.compile("Entry (\\d{1,9}): (.*)", Pattern.DOTALL);

    private static final Pattern ALREADY_EXISTS = Pattern.compile(
            "Metric '(.*)' already exists at (?:step (-?\\d{1,10})|summary) \\(use remove\\(\\) first to overwrite\\)",
            Pattern.DOTALL);

    private static final Pattern SERIES_OVER_SCALAR = Pattern
        .compile("Metric '(.*)' already has scalar \\(summary\\) values \u2014 cannot log series at step (-?\\d{1,10}) "
                + "\\(use remove\\(\\) first\\)", Pattern.DOTALL);

    private static final Pattern SCALAR_OVER_SERIES = Pattern.compile(
            "Metric '(.*)' already has series \\(stepped\\) values \u2014 cannot log scalar \\(use remove\\(\\) first\\)",
            Pattern.DOTALL);

    private static final Pattern TYPE_CHANGE = Pattern
        .compile("Type conflict for '(.*)': cannot log [a-z_]+, existing types are \\{[a-z_', ]*\\}", Pattern.DOTALL);

    private static final Pattern CONFIG_EXISTS = Pattern.compile(
            "Config key '(.*)' already exists for this run\\. Use remove_config\\('.*'\\) first to overwrite\\.",
            Pattern.DOTALL);

    /** What a write conflicts with. */
    public enum Kind {

        /** The path already has a value at that step (or a scalar). */
        ALREADY_EXISTS,

        /** The value's type differs from the path's ({@code 1} then {@code 1.5}). */
        TYPE_CHANGE,

        /** A scalar path gets a step, or a series path gets none. */
        SCALAR_VS_SERIES,

        /** The config key exists already (with another value). */
        CONFIG_EXISTS,

        /** Anything else, or a wording this client does not know. */
        OTHER

    }

    public Conflict {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(text, "text");
    }

    /**
     * Reads one entry of the server's {@code conflicts} list, as Dalva words it (a text
     * it does not recognise is {@link Kind#OTHER}, with no path).
     * @param serverText the sentence, e.g.
     * {@code "Entry 3: Metric 'loss' already exists at step 5 (use remove() first to overwrite)"}
     */
    public static Conflict parse(String serverText) {
        Objects.requireNonNull(serverText, "serverText");
        Integer entry = null;
        String text = serverText;
        Matcher batch = ENTRY.matcher(serverText);
        if (batch.matches()) {
            entry = Integer.valueOf(batch.group(1));
            text = batch.group(2);
        }
        Matcher m;
        if ((m = ALREADY_EXISTS.matcher(text)).matches()) {
            return new Conflict(entry, m.group(1), step(m.group(2)), Kind.ALREADY_EXISTS, text);
        }
        if ((m = SERIES_OVER_SCALAR.matcher(text)).matches()) {
            return new Conflict(entry, m.group(1), step(m.group(2)), Kind.SCALAR_VS_SERIES, text);
        }
        if ((m = SCALAR_OVER_SERIES.matcher(text)).matches()) {
            return new Conflict(entry, m.group(1), null, Kind.SCALAR_VS_SERIES, text);
        }
        if ((m = TYPE_CHANGE.matcher(text)).matches()) {
            return new Conflict(entry, m.group(1), null, Kind.TYPE_CHANGE, text);
        }
        if ((m = CONFIG_EXISTS.matcher(text)).matches()) {
            return new Conflict(entry, m.group(1), null, Kind.CONFIG_EXISTS, text);
        }
        return new Conflict(entry, null, null, Kind.OTHER, text);
    }

    private static Integer step(String digits) {
        if (digits == null) {
            return null;
        }
        long step = Long.parseLong(digits);
        return step == (int) step ? (int) step : null;
    }

    /** The server's wording, with the batch's {@code "Entry N: "} prefix if any. */
    @Override
    public String toString() {
        return entry == null ? text : "Entry " + entry + ": " + text;
    }

}
