package io.dalva.micrometer;

import io.micrometer.core.instrument.Tag;

import java.util.List;

/**
 * Dalva metric paths for meters: {@code name/key=value/.../field}.
 * <ul>
 * <li>The meter's name (after the registry's naming convention) is the first segment; its
 * tags (common tags included, after the naming convention) follow as {@code key=value}
 * segments, sorted by key as Micrometer sorts them; the field leaf ({@code count},
 * {@code value}, ...) comes last.</li>
 * <li>Inside a segment {@code %} becomes {@code %25} and {@code /} becomes {@code %2F};
 * in a tag key {@code =} also becomes {@code %3D}. The escaping is reversible, so two
 * different meters never share a path.</li>
 * <li>A field leaf never contains {@code =} while every tag segment does, so no path is
 * ever a folder of another path (Dalva's UI would hide it).</li>
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
        StringBuilder path = new StringBuilder(escape(conventionName, false));
        for (Tag tag : conventionTags) {
            path.append('/').append(escape(tag.getKey(), true)).append('=').append(escape(tag.getValue(), false));
        }
        return path.toString();
    }

    static String path(String meterFolder, String field) {
        return meterFolder + '/' + field;
    }

    static String escape(String segment, boolean tagKey) {
        StringBuilder escaped = null;
        for (int i = 0; i < segment.length(); i++) {
            char c = segment.charAt(i);
            String replacement = c == '%' ? "%25" : c == '/' ? "%2F" : c == '=' && tagKey ? "%3D" : null;
            if (replacement != null && escaped == null) {
                escaped = new StringBuilder(segment.length() + 8).append(segment, 0, i);
            }
            if (escaped != null) {
                if (replacement != null) {
                    escaped.append(replacement);
                }
                else {
                    escaped.append(c);
                }
            }
        }
        return escaped == null ? segment : escaped.toString();
    }

}
