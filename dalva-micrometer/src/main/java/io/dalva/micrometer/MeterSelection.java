package io.dalva.micrometer;

import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Which meter names the registry publishes: {@link DalvaConfig#includeMeters()} (empty
 * means every meter) minus {@link DalvaConfig#excludeMeters()}. In a pattern {@code *}
 * matches any characters, dots included; everything else matches itself.
 */
final class MeterSelection {

    private final List<Pattern> include;

    private final List<Pattern> exclude;

    MeterSelection(List<String> include, List<String> exclude) {
        this.include = compile(include);
        this.exclude = compile(exclude);
    }

    boolean accepts(String meterName) {
        return (include.isEmpty() || matchesAny(include, meterName)) && !matchesAny(exclude, meterName);
    }

    boolean selectsEverything() {
        return include.isEmpty() && exclude.isEmpty();
    }

    private static boolean matchesAny(List<Pattern> patterns, String name) {
        for (Pattern pattern : patterns) {
            if (pattern.matcher(name).matches()) {
                return true;
            }
        }
        return false;
    }

    private static List<Pattern> compile(List<String> globs) {
        return globs.stream().map(MeterSelection::glob).collect(Collectors.toUnmodifiableList());
    }

    private static Pattern glob(String glob) {
        String[] literals = glob.split("\\*", -1);
        StringBuilder regex = new StringBuilder();
        for (int i = 0; i < literals.length; i++) {
            if (i > 0) {
                regex.append(".*");
            }
            if (!literals[i].isEmpty()) {
                regex.append(Pattern.quote(literals[i]));
            }
        }
        return Pattern.compile(regex.toString());
    }

}
