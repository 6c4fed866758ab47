package io.dalva.run;

import io.dalva.internal.logging.Log;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Warns once per path that Dalva's web UI cannot chart a metric path holding {@code %},
 * {@code ?}, {@code #} or {@code \}: the UI puts the path raw into a URL, where {@code ?}
 * starts the query, {@code #} the fragment, {@code \} becomes {@code /} and {@code %} is
 * decoded by the server. The server stores such paths and the API reads them back, so
 * they are still sent. Remembers at most {@value #MAX_REMEMBERED} paths per run; later
 * ones are not warned about.
 */
final class UnchartablePaths {

    static final int MAX_REMEMBERED = 10_000;

    /** Logged under {@link DalvaRun}'s name, where users look for a run's messages. */
    private static final Log logger = Log.of(DalvaRun.class);

    private final Set<String> warned = ConcurrentHashMap.newKeySet();

    /** Warns about {@code path} unless it was warned about before. */
    void check(String path) {
        int at = firstUnchartable(path);
        if (at >= 0 && warned.size() < MAX_REMEMBERED && warned.add(path)) {
            logger.warn("Dalva's web UI cannot chart the metric path '{}': it holds '{}', and the UI puts "
                    + "paths raw into a URL (avoid %, ?, # and \\); the server stores it and the API reads it "
                    + "back.", path, path.charAt(at));
        }
    }

    /** The index of the first {@code %}, {@code ?}, {@code #} or {@code \}, or -1. */
    static int firstUnchartable(String path) {
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == '%' || c == '?' || c == '#' || c == '\\') {
                return i;
            }
        }
        return -1;
    }

}
