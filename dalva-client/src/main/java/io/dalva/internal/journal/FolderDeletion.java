package io.dalva.internal.journal;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Deletes a delivered run folder, except damaged bytes, which stay with the manifest and
 * the delivered marker; the lock file goes last, still locked.
 */
final class FolderDeletion {

    private FolderDeletion() {
    }

    /**
     * Deletes the events of {@code dir}, then, unless it holds damaged bytes, everything
     * else, closing {@code lock} (held by the caller) as its file is deleted.
     */
    static void deleteDelivered(Path dir, FolderLock lock) throws IOException {
        deleteChildren(dir.resolve(Journal.EVENTS));
        Files.deleteIfExists(dir.resolve(Journal.EVENTS));
        if (hasDamage(dir)) {
            return;
        }
        Files.deleteIfExists(dir.resolve(Journal.DELIVERED));
        Files.deleteIfExists(dir.resolve(SpoolManifest.FILE)); // no longer a run folder
        deleteChildren(dir, dir.resolve(Journal.LOCK));
        lock.closeDeletingFile();
        Files.deleteIfExists(dir);
    }

    private static boolean hasDamage(Path dir) throws IOException {
        Path folder = dir.resolve(Journal.DAMAGED);
        if (!Files.isDirectory(folder)) {
            return false;
        }
        try (DirectoryStream<Path> children = Files.newDirectoryStream(folder)) {
            for (Path child : children) {
                if (!child.getFileName().toString().startsWith("incomplete.")) {
                    return true; // damaged bytes: kept with their manifest
                }
            }
            return false; // only events whose log() never returned
        }
    }

    private static void deleteChildren(Path folder) throws IOException {
        deleteChildren(folder, null);
    }

    /** Deletes everything in {@code folder} but {@code kept}. */
    private static void deleteChildren(Path folder, Path kept) throws IOException {
        if (!Files.isDirectory(folder)) {
            return;
        }
        List<Path> children = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(folder)) {
            stream.forEach(children::add);
        }
        for (Path child : children) {
            if (child.equals(kept)) {
                continue;
            }
            if (Files.isDirectory(child)) {
                deleteChildren(child);
            }
            Files.deleteIfExists(child);
        }
    }

}
