package io.dalva.internal.journal;

import io.dalva.internal.logging.Log;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

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

    private final FileLock lock;

    private FolderLock(Path key, FileChannel channel, FileLock lock) {
        this.key = key;
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
        try {
            channel = FileChannel.open(dir.resolve(Journal.LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = channel.tryLock();
            if (lock != null) {
                return new FolderLock(key, channel, lock);
            }
            channel.close(); // another process holds it; this JVM holds no lock on it
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

    /** Releases the lock; the folder is free for this JVM and others. */
    @Override
    public void close() {
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
