package io.dalva.test;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the first syntax error the way Python's {@code json.loads} (which FastAPI uses)
 * reports it: the same message and the same character position, so that 422
 * {@code json_invalid} bodies match the real server's. Accepts what Python accepts,
 * including bare {@code NaN}, {@code Infinity} and {@code -Infinity}.
 */
final class PythonJson {

    /** A decode error: Python's message (without position) and character index. */
    record DecodeError(String message, int position) {
    }

    private static final Pattern NUMBER = Pattern.compile("(-?(?:0|[1-9]\\d*))(\\.\\d+)?([eE][-+]?\\d+)?");

    private static final Pattern CHUNK = Pattern.compile("(.*?)([\"\\\\\\x00-\\x1f])", Pattern.DOTALL);

    private static final String ESCAPES = "\"\\/bfnrt";

    private final String s;

    private PythonJson(String s) {
        this.s = s;
    }

    /** The first error, or null when Python would decode the text. */
    static DecodeError check(String text) {
        PythonJson json = new PythonJson(text);
        try {
            int end = json.value(json.ws(0));
            end = json.ws(end);
            if (end != text.length()) {
                throw json.error("Extra data", end);
            }
            return null;
        }
        catch (Failure f) {
            return new DecodeError(f.message, text.codePointCount(0, Math.min(f.position, text.length())));
        }
    }

    private static final class Failure extends RuntimeException {

        private static final long serialVersionUID = 1L;

        final String message;

        final int position;

        Failure(String message, int position) {
            super(message, null, false, false);
            this.message = message;
            this.position = position;
        }

    }

    private Failure error(String message, int position) {
        return new Failure(message, position);
    }

    private int ws(int i) {
        while (i < s.length() && " \t\n\r".indexOf(s.charAt(i)) >= 0) {
            i++;
        }
        return i;
    }

    private char at(int i) {
        return i < s.length() ? s.charAt(i) : '\uffff';
    }

    /**
     * {@code scan_once}: a value starting exactly at {@code i}; returns the index after
     * it.
     */
    private int value(int i) {
        if (i >= s.length()) {
            throw error("Expecting value", i);
        }
        char c = s.charAt(i);
        switch (c) {
            case '"':
                return string(i + 1);
            case '{':
                return object(i + 1);
            case '[':
                return array(i + 1);
            default:
                break;
        }
        for (String literal : new String[] { "null", "true", "false", "NaN", "Infinity", "-Infinity" }) {
            if (s.startsWith(literal, i)) {
                return i + literal.length();
            }
        }
        Matcher number = NUMBER.matcher(s).region(i, s.length());
        if (number.lookingAt()) {
            return number.end();
        }
        throw error("Expecting value", i);
    }

    private int object(int end) {
        char next = at(end);
        if (next != '"') {
            end = ws(end);
            next = at(end);
            if (next == '}') {
                return end + 1;
            }
            if (next != '"') {
                throw error("Expecting property name enclosed in double quotes", end);
            }
        }
        end++;
        while (true) {
            end = string(end);
            if (at(end) != ':') {
                end = ws(end);
                if (at(end) != ':') {
                    throw error("Expecting ':' delimiter", end);
                }
            }
            end = ws(end + 1);
            end = value(end);
            end = ws(end);
            char c = at(end);
            end++;
            if (c == '}') {
                return end;
            }
            if (c != ',') {
                throw error("Expecting ',' delimiter", end - 1);
            }
            end = ws(end);
            c = at(end);
            end++;
            if (c != '"') {
                throw error("Expecting property name enclosed in double quotes", end - 1);
            }
        }
    }

    private int array(int end) {
        end = ws(end);
        if (at(end) == ']') {
            return end + 1;
        }
        while (true) {
            end = value(end);
            end = ws(end);
            char c = at(end);
            end++;
            if (c == ']') {
                return end;
            }
            if (c != ',') {
                throw error("Expecting ',' delimiter", end - 1);
            }
            end = ws(end);
        }
    }

    /** {@code scanstring}: {@code end} is just after the opening quote. */
    private int string(int end) {
        int begin = end - 1;
        while (true) {
            Matcher chunk = CHUNK.matcher(s).region(end, s.length());
            if (!chunk.lookingAt()) {
                throw error("Unterminated string starting at", begin);
            }
            end = chunk.end();
            char terminator = chunk.group(2).charAt(0);
            if (terminator == '"') {
                return end;
            }
            if (terminator != '\\') {
                throw error("Invalid control character " + Json.pyRepr(String.valueOf(terminator)) + " at", end - 1);
            }
            if (end >= s.length()) {
                throw error("Unterminated string starting at", begin);
            }
            char escape = s.charAt(end);
            if (escape != 'u') {
                if (ESCAPES.indexOf(escape) < 0) {
                    throw error("Invalid \\escape: " + Json.pyRepr(String.valueOf(escape)), end);
                }
                end++;
                continue;
            }
            if (!isHex4(end + 1)) {
                throw error("Invalid \\uXXXX escape", end - 1);
            }
            end += 5;
        }
    }

    private boolean isHex4(int i) {
        if (i + 4 > s.length()) {
            return false;
        }
        for (int k = i; k < i + 4; k++) {
            if (Character.digit(s.charAt(k), 16) < 0) {
                return false;
            }
        }
        return true;
    }

}
