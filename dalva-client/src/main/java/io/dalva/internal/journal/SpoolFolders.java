package io.dalva.internal.journal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** The run folders of a spool folder, and the one that belongs to a given server run. */
public final class SpoolFolders {

    private SpoolFolders() {
    }

    /**
     * The run folders in {@code dir}: itself if it holds a manifest, else its subfolders
     * that do.
     */
    public static List<Path> runFolders(Path dir) {
        if (Files.isRegularFile(dir.resolve(SpoolManifest.FILE))) {
            return List.of(dir);
        }
        List<Path> folders = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return folders;
        }
        try (DirectoryStream<Path> children = Files.newDirectoryStream(dir, Files::isDirectory)) {
            for (Path child : children) {
                if (Files.isRegularFile(child.resolve(SpoolManifest.FILE))) {
                    folders.add(child);
                }
            }
        }
        catch (IOException e) {
            throw new UncheckedIOException("cannot list spool folder " + dir, e);
        }
        folders.sort(null);
        return folders;
    }

    /**
     * How many event lines the files of a run folder's {@code events/} hold (read only,
     * without its lock; 0 when unreadable).
     */
    public static long countEventLines(Path runDir) {
        long lines = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(runDir.resolve(Journal.EVENTS))) {
            for (Path file : files) {
                if (Files.isRegularFile(file) && !file.getFileName().toString().endsWith(".tmp")) {
                    for (byte b : Files.readAllBytes(file)) {
                        lines += b == '\n' ? 1 : 0;
                    }
                }
            }
        }
        catch (IOException | RuntimeException e) {
            return lines;
        }
        return lines;
    }

    /**
     * The folder in {@code spool} holding run {@code runId} of {@code project} on
     * {@code serverUrl}, or null.
     */
    public static Path find(Path spool, String serverUrl, String project, String runId) {
        for (Path folder : runFolders(spool)) {
            try {
                SpoolManifest manifest = SpoolManifest.read(folder);
                if (runId.equals(manifest.serverRunId()) && project.equals(manifest.project())
                        && Objects.equals(serverUrl, manifest.serverUrl())) {
                    return folder;
                }
            }
            catch (IOException | RuntimeException e) {
                // not a readable run folder: not ours to resume
            }
        }
        return null;
    }

}
