package io.dalva.test;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Compares a JSON answer with an expected shape: exact, except that the string
 * {@code "<any>"} matches any value, {@code "<int>"} any integer and
 * {@code "<timestamp>"} any ISO date-time text. Numbers must agree in kind too: {@code 1}
 * is not {@code 1.0}.
 */
final class JsonMatch {

    private JsonMatch() {
    }

    static void assertMatches(JsonNode actual, String expected) {
        List<String> problems = new ArrayList<>();
        compare("$", Http.parse(expected), actual, problems);
        if (!problems.isEmpty()) {
            throw new AssertionError("JSON differs: " + problems + "\nexpected: " + expected + "\nactual:   " + actual);
        }
    }

    private static void compare(String where, JsonNode expected, JsonNode actual, List<String> problems) {
        if (expected.isTextual()) {
            switch (expected.textValue()) {
                case "<any>" -> {
                    return;
                }
                case "<int>" -> {
                    if (actual == null || !actual.isIntegralNumber()) {
                        problems.add(where + ": expected an integer, was " + actual);
                    }
                    return;
                }
                case "<timestamp>" -> {
                    if (actual == null || !actual.isTextual() || !actual.textValue()
                        .matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d(:\\d\\d(\\.\\d+)?)?.*")) {
                        problems.add(where + ": expected a timestamp, was " + actual);
                    }
                    return;
                }
                default -> {
                }
            }
        }
        if (actual == null) {
            problems.add(where + ": missing");
            return;
        }
        if (expected.isObject()) {
            if (!actual.isObject()) {
                problems.add(where + ": expected an object, was " + actual);
                return;
            }
            expected.fieldNames()
                .forEachRemaining(name -> compare(where + "." + name, expected.get(name), actual.get(name), problems));
            for (Iterator<String> it = actual.fieldNames(); it.hasNext();) {
                String name = it.next();
                if (!expected.has(name)) {
                    problems.add(where + "." + name + ": unexpected");
                }
            }
            return;
        }
        if (expected.isArray()) {
            if (!actual.isArray() || actual.size() != expected.size()) {
                problems.add(where + ": expected " + expected.size() + " elements, was " + actual);
                return;
            }
            for (int i = 0; i < expected.size(); i++) {
                compare(where + "[" + i + "]", expected.get(i), actual.get(i), problems);
            }
            return;
        }
        if (expected.isNumber()) {
            boolean sameKind = expected.isIntegralNumber() == actual.isIntegralNumber();
            if (!actual.isNumber() || !sameKind || expected.decimalValue().compareTo(actual.decimalValue()) != 0) {
                problems.add(where + ": expected " + expected + ", was " + actual);
            }
            return;
        }
        if (!expected.equals(actual)) {
            problems.add(where + ": expected " + expected + ", was " + actual);
        }
    }

}
