package io.dalva.test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The faults a test asked for: injected answers, dropped connections, delays.
 * Thread-safe.
 */
final class Faults {

    /** An injected answer: status, content type and body. */
    record Failure(int status, String contentType, String body) {
    }

    private static final class Rule {

        final Pattern path;

        final Failure failure;

        int remaining;

        Rule(Pattern path, Failure failure, int remaining) {
            this.path = path;
            this.failure = failure;
            this.remaining = remaining;
        }

    }

    private final List<Rule> failures = new ArrayList<>();

    private final List<Rule> drops = new ArrayList<>();

    private Duration delay = Duration.ZERO;

    private Duration writeHold = Duration.ZERO;

    private Duration perValue = Duration.ZERO;

    synchronized void failNext(int count, Failure failure, String pathRegex) {
        failures.add(new Rule(compile(pathRegex), failure, count));
    }

    synchronized void dropNext(int count, String pathRegex) {
        drops.add(new Rule(compile(pathRegex), null, count));
    }

    synchronized void delay(Duration delay) {
        this.delay = delay;
    }

    synchronized Duration delay() {
        return delay;
    }

    synchronized void writeHold(Duration hold) {
        this.writeHold = hold;
    }

    synchronized Duration writeHold() {
        return writeHold;
    }

    synchronized void perValue(Duration perValue) {
        this.perValue = perValue;
    }

    synchronized Duration perValue() {
        return perValue;
    }

    /**
     * The injected answer for this request, if a rule matches (and is used up by one).
     */
    synchronized Failure takeFailure(String path) {
        Rule rule = take(failures, path);
        return rule == null ? null : rule.failure;
    }

    synchronized boolean takeDrop(String path) {
        return take(drops, path) != null;
    }

    synchronized void reset() {
        failures.clear();
        drops.clear();
        delay = Duration.ZERO;
        writeHold = Duration.ZERO;
        perValue = Duration.ZERO;
    }

    private static Rule take(List<Rule> rules, String path) {
        for (Iterator<Rule> it = rules.iterator(); it.hasNext();) {
            Rule rule = it.next();
            if (rule.path == null || rule.path.matcher(path).find()) {
                if (--rule.remaining <= 0) {
                    it.remove();
                }
                return rule;
            }
        }
        return null;
    }

    private static Pattern compile(String regex) {
        return regex == null ? null : Pattern.compile(regex);
    }

}
