package io.dalva.internal.journal;

import io.dalva.internal.logging.Log;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The lock of one run folder: an exclusive lock on its {@code lock} file, held by the
 * journal that writes the folder, probed by whoever only wants to know.
 *
 * <p>
 * The lock the operating system keeps is one per process (POSIX {@code fcntl}): on Linux
 * closing <em>any</em> channel this JVM has open on the lock file releases every lock the
 * JVM holds on it. So a folder this JVM holds is recorded here, and its lock file is
 * never opened a second time: a replay, a status or a second journal in the same JVM sees
 * the folder held without touching the file. This is the one JVM-wide mutable state of
 * the client, and it has to be: it mirrors state the operating system keeps per process.
 */
public final class FolderLock implements AutoCloseable {

    private static final Log log = Log.of(FolderLock.class);

    /**
     * The real paths of the run folders this JVM holds or is probing: nobody in this JVM
     * opens the lock file of a folder listed here.
     */
    private static final Set<Path> IN_THIS_JVM = ConcurrentHashMap.newKeySet();

    private final Path key;

    private final FileChannel channel;

    private final Path file;

    private final FileLock lock;

    private final AtomicBoolean released = new AtomicBoolean();

    private FolderLock(Path key, Path file, FileChannel channel, FileLock lock) {
        this.key = key;
        this.file = file;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Takes the lock of an existing folder, creating its lock file, or returns
     * {@code null} when this JVM or another process holds it.
     */
    static FolderLock tryAcquire(Path dir) throws IOException {
        Path key = key(dir);
        if (!IN_THIS_JVM.add(key)) {
            return null; // this JVM holds it: its lock file must not be opened again
        }
        FileChannel channel = null;
        Path file = dir.resolve(Journal.LOCK);
        try {
            Object current = fileKey(file);
            if (current == null) {
                createIfAbsent(file);
                current = fileKey(file);
            }
            // the file at the path just before and just after the open is the file
            // opened (an open file's inode is not reused); checked again once locked
            channel = current == null ? null : openIfPresent(file);
            FileLock lock = channel != null && current.equals(fileKey(file)) ? channel.tryLock() : null;
            if (lock != null && current.equals(fileKey(file))) {
                return new FolderLock(key, file, channel, lock);
            }
            // another process holds it, or deleted the folder and its lock file around
            // our open or our lock (the file locked is not the folder's any more): this
            // JVM holds no lock on it
            if (channel != null) {
                channel.close();
            }
            IN_THIS_JVM.remove(key);
            return null;
        }
        catch (IOException | RuntimeException e) {
            if (channel != null) {
                channel.close();
            }
            IN_THIS_JVM.remove(key);
            throw e;
        }
    }

    /**
     * Whether a live journal holds the folder, in this JVM or another process; never
     * creates the lock file. The lock file of a folder this JVM holds is not opened;
     * otherwise a shared lock, taken on a read-only channel and released at once,
     * conflicts with a live journal's exclusive one. While the probe lasts the folder
     * counts as held in this JVM, so that no journal of this JVM takes it then (a
     * concurrent probe of the same folder in this JVM answers "held").
     */
    public static boolean isHeld(Path dir) throws IOException {
        Path lockFile = dir.resolve(Journal.LOCK);
        Path key = key(dir);
        if (!IN_THIS_JVM.add(key)) {
            return true;
        }
        try {
            if (!Files.exists(lockFile)) {
                return false;
            }
            try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.READ)) {
                FileLock probe = channel.tryLock(0, Long.MAX_VALUE, true);
                if (probe == null) {
                    return true;
                }
                probe.release();
                return false;
            }
            catch (OverlappingFileLockException e) {
                return true; // not expected: this JVM's holders are listed
            }
        }
        finally {
            IN_THIS_JVM.remove(key);
        }
    }

    private static void createIfAbsent(Path file) throws IOException {
        try {
            Files.createFile(file);
        }
        catch (FileAlreadyExistsException e) {
            // another process created it first: it is the lock file all the same
        }
    }

    private static FileChannel openIfPresent(Path file) throws IOException {
        try {
            return FileChannel.open(file, StandardOpenOption.WRITE);
        }
        catch (NoSuchFileException e) {
            return null; // deleted with its folder meanwhile
        }
    }

    /** Whether this lock is still held (not closed). */
    boolean isHeld() {
        return !released.get();
    }

    /**
     * Deletes the lock file, then releases the lock: for a folder being deleted, whose
     * other files are gone. A process that opened the file before cannot take the folder
     * with it ({@link #tryAcquire} checks that the file it locked is still the folder's).
     */
    void closeDeletingFile() throws IOException {
        if (isHeld()) {
            Files.deleteIfExists(file);
        }
        close();
    }

    /** Releases the lock (once); the folder is free for this JVM and others. */
    @Override
    public void close() {
        if (!released.compareAndSet(false, true)) {
            return;
        }
        try {
            lock.release();
            channel.close();
        }
        catch (IOException e) {
            log.debug("Cannot release the spool lock of {}.", key, e);
        }
        finally {
            IN_THIS_JVM.remove(key); // after the channel's close: no lock is left then
        }
    }

    /**
     * What identifies the file at {@code path} (device and inode on Linux; the path where
     * the file system has no such key), or {@code null} when there is none.
     */
    private static Object fileKey(Path path) {
        try {
            Object fileKey = Files.readAttributes(path, BasicFileAttributes.class).fileKey();
            return fileKey != null ? fileKey : path;
        }
        catch (IOException e) {
            return null;
        }
    }

    /** The folder's real path (links resolved), or its normalized path if it is gone. */
    private static Path key(Path dir) {
        try {
            return dir.toRealPath();
        }
        catch (IOException e) {
            return dir.toAbsolutePath().normalize();
        }
    }

}
