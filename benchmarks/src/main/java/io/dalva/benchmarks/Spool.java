package io.dalva.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** Reads and removes the spool folders the {@code DalvaRun} benchmarks create. */
final class Spool {

    private Spool() {
    }

    /**
     * Bytes of events in every journal segment ({@code events/*.jsonl}) under
     * {@code root}: segments are preallocated and their events end at the first NUL byte.
     */
    static long journalBytes(Path root) throws IOException {
        long total = 0;
        for (Path segment : files(root)) {
            if (segment.getParent().getFileName().toString().equals("events")
                    && segment.getFileName().toString().endsWith(".jsonl")) {
                total += bytesBeforeNul(segment);
            }
        }
        return total;
    }

    static void delete(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    private static List<Path> files(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            return paths.filter(Files::isRegularFile).toList();
        }
    }

    private static long bytesBeforeNul(Path file) throws IOException {
        long count = 0;
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buffer)) > 0;) {
                for (int i = 0; i < n; i++) {
                    if (buffer[i] == 0) {
                        return count + i;
                    }
                }
                count += n;
            }
        }
        return count;
    }

}
