package io.dalva.internal.journal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * The child JVM of {@link JournalDeleteTest}: another process that tries, as fast as it
 * can, to take the lock of a run folder (its {@code lock} file, never created here) until
 * its standard input ends, as {@link FolderLock} does (a lock taken on a file deleted
 * meanwhile does not count); then prints {@code OPENED <n>} (times it found the lock
 * file), {@code LOCKED <n>} (times it held the lock) and {@code WITH_MANIFEST <n>} (times
 * it held it while the folder still had its manifest: it took a run folder that was being
 * deleted).
 */
public final class LockProbeMain {

    private LockProbeMain() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        Thread reader = new Thread(() -> {
            try {
                while (System.in.read() >= 0) {
                    // until the parent closes the stream
                }
            }
            catch (IOException e) {
                // the parent is gone
            }
        });
        reader.setDaemon(true);
        reader.start();
        System.out.println("READY");
        System.out.flush();
        long opened = 0;
        long locked = 0;
        long withManifest = 0;
        while (reader.isAlive()) {
            Path file = dir.resolve("lock");
            Object key = fileKey(file);
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                opened++;
                // a lock on a file deleted meanwhile is not the folder's lock: the file
                // at
                // the path before the open, after it and once locked must be the same
                FileLock lock = key != null && key.equals(fileKey(file)) ? channel.tryLock() : null;
                if (lock != null && key.equals(fileKey(file))) {
                    locked++;
                    if (Files.exists(dir.resolve(SpoolManifest.FILE))) {
                        withManifest++;
                    }
                }
                if (lock != null) {
                    lock.release();
                }
            }
            catch (NoSuchFileException e) {
                Thread.onSpinWait();
            }
        }
        System.out.println("OPENED " + opened);
        System.out.println("LOCKED " + locked);
        System.out.println("WITH_MANIFEST " + withManifest);
        System.out.flush();
    }

    private static Object fileKey(Path path) {
        try {
            return Files.readAttributes(path, BasicFileAttributes.class).fileKey();
        }
        catch (IOException e) {
            return null;
        }
    }

}
