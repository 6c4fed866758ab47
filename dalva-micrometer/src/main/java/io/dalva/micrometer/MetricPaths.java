package io.dalva.micrometer;

import io.micrometer.core.instrument.Tag;

import java.util.List;

/**
 * The one place that builds Dalva metric paths for meters: {@code name/series/field},
 * three segments at most, in a form Dalva's web UI can chart.
 * <ul>
 * <li>The meter's name (after the registry's naming convention) is the first segment;
 * dots stay ({@code http.server.requests} is one folder).</li>
 * <li>The series is one segment holding every tag (common tags included, after the naming
 * convention), sorted by key as Micrometer sorts them, as {@code k=v,k=v}. A meter
 * without tags has no series segment: {@code name/field}.</li>
 * <li>The field leaf ({@code count}, {@code value}, ...) comes last; it never contains
 * {@code =} while every series does, so no path is ever a folder of another path.</li>
 * <li>Dalva's UI puts a path into a request URL unencoded: the browser cuts it at
 * {@code ?} and {@code #}, turns {@code \} into {@code /}, drops tabs and line breaks and
 * the segments {@code .} and {@code ..}, and the server percent-decodes it. So inside a
 * segment those characters are written as look-alikes (the README's table: {@code /} as
 * {@code ∕} U+2215, {@code %} as {@code ％}, {@code ?} as {@code ？}, {@code #} as
 * {@code ＃}, {@code \} as {@code ∖}, tab and line breaks as control pictures, a {@code .}
 * segment as {@code ．}), and an unpaired surrogate (not encodable) as U+FFFD. Two meters
 * may therefore meet on one path (a tag value that already holds {@code ∕}); the registry
 * publishes the first and logs the other.</li>
 * </ul>
 */
final class MetricPaths {

    private MetricPaths() {
    }

    /**
     * @return the folder of one meter: every path of the meter is this plus
     * {@code /field}
     */
    static String meterFolder(String conventionName, List<Tag> conventionTags) {
        String name = segment(conventionName);
        if (conventionTags.isEmpty()) {
            return name;
        }
        StringBuilder series = new StringBuilder();
        for (Tag tag : conventionTags) {
            if (series.length() > 0) {
                series.append(',');
            }
            series.append(tag.getKey()).append('=').append(tag.getValue());
        }
        return name + '/' + segment(series.toString());
    }

    static String path(String meterFolder, String field) {
        return meterFolder + '/' + field;
    }

    /** One path segment as the UI gets it back unchanged. */
    static String segment(String text) {
        if (text.equals(".") || text.equals("..")) {
            return "\uFF0E".repeat(text.length());
        }
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            String replacement = replacement(text, i, c);
            if (replacement != null && out == null) {
                out = new StringBuilder(text.length() + 8).append(text, 0, i);
            }
            if (out != null) {
                if (replacement != null) {
                    out.append(replacement);
                }
                else {
                    out.append(c);
                }
            }
        }
        return out == null ? text : out.toString();
    }

    private static String replacement(String text, int i, char c) {
        if (Character.isHighSurrogate(c)) {
            return (i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) ? null : "\uFFFD";
        }
        if (Character.isLowSurrogate(c)) {
            return (i > 0 && Character.isHighSurrogate(text.charAt(i - 1))) ? null : "\uFFFD";
        }
        switch (c) {
            case '/':
                return "\u2215";
            case '%':
                return "\uFF05";
            case '?':
                return "\uFF1F";
            case '#':
                return "\uFF03";
            case '\\':
                return "\u2216";
            case '\t':
                return "\u2409";
            case '\n':
                return "\u240A";
            case '\r':
                return "\u240D";
            default:
                return null;
        }
    }

}
