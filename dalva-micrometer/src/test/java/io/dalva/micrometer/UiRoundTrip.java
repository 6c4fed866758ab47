package io.dalva.micrometer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What happens to a metric path on its way from Dalva's web UI to the server: the UI
 * inserts it raw into {@code /api/metrics/runs/{id}/metric/{path}}, the browser parses
 * that with the WHATWG URL rules for a special (http) URL, and the server percent-decodes
 * the path (UTF-8, invalid bytes as U+FFFD) before routing.
 */
final class UiRoundTrip {

    private static final String HEX = "0123456789ABCDEF";

    private static final String PREFIX = "/api/metrics/runs/1/metric/";

    private UiRoundTrip() {
    }

    /**
     * @return the metric path the server routes to, or null when the route is lost
     */
    static String serverSees(String metricPath) {
        String decoded = percentDecode(browserPath(PREFIX + metricPath));
        return decoded.startsWith(PREFIX) ? decoded.substring(PREFIX.length()) : null;
    }

    /** The path of the URL a browser requests for this relative reference. */
    static String browserPath(String input) {
        // strip leading and trailing C0 controls and spaces, remove tabs and newlines
        int start = 0;
        int end = input.length();
        while (start < end && input.charAt(start) <= ' ') {
            start++;
        }
        while (end > start && input.charAt(end - 1) <= ' ') {
            end--;
        }
        StringBuilder cleaned = new StringBuilder();
        for (int i = start; i < end; i++) {
            char c = input.charAt(i);
            if (c != '\t' && c != '\n' && c != '\r') {
                cleaned.append(c);
            }
        }
        String url = cleaned.toString();
        int query = indexOfAny(url, "?#");
        if (query >= 0) {
            url = url.substring(0, query);
        }
        url = url.replace('\\', '/');
        List<String> segments = new ArrayList<>();
        String[] parts = url.substring(1).split("/", -1);
        for (int i = 0; i < parts.length; i++) {
            String segment = parts[i];
            boolean last = i == parts.length - 1;
            String lower = segment.toLowerCase();
            if (lower.equals("..") || lower.equals(".%2e") || lower.equals("%2e.") || lower.equals("%2e%2e")) {
                if (!segments.isEmpty()) {
                    segments.remove(segments.size() - 1);
                }
                if (last) {
                    segments.add("");
                }
            }
            else if (lower.equals(".") || lower.equals("%2e")) {
                if (last) {
                    segments.add("");
                }
            }
            else {
                segments.add(percentEncode(segment));
            }
        }
        return "/" + String.join("/", segments);
    }

    private static int indexOfAny(String s, String chars) {
        for (int i = 0; i < s.length(); i++) {
            if (chars.indexOf(s.charAt(i)) >= 0) {
                return i;
            }
        }
        return -1;
    }

    /** The path percent-encode set: C0 controls, space, " # < > ? ` { } and above ~. */
    private static String percentEncode(String segment) {
        StringBuilder out = new StringBuilder();
        // the browser encodes the string as UTF-8 first (an unpaired surrogate as U+FFFD)
        for (byte b : segment.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xFF;
            if (c < 0x20 || c > 0x7E || " \"#<>?`{}".indexOf(c) >= 0) {
                out.append('%').append(HEX.charAt(c >> 4)).append(HEX.charAt(c & 0xF));
            }
            else {
                out.append((char) c);
            }
        }
        return out.toString();
    }

    /** Python's {@code urllib.parse.unquote}: %XX bytes, then UTF-8 with replacement. */
    static String percentDecode(String path) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        byte[] raw = path.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < raw.length; i++) {
            if (raw[i] == '%' && i + 2 < raw.length && hex(raw[i + 1]) >= 0 && hex(raw[i + 2]) >= 0) {
                bytes.write(hex(raw[i + 1]) * 16 + hex(raw[i + 2]));
                i += 2;
            }
            else {
                bytes.write(raw[i]);
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static int hex(byte b) {
        return Character.digit((char) b, 16);
    }

}
