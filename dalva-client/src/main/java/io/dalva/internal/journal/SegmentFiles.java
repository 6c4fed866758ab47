package io.dalva.internal.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Names and file operations shared by the owner and recovery: sealed segments are
 * {@code <first seq, 20 digits>-<last seq, 20 digits>-<sha256 of the bytes>.jsonl}, as
 * Dalva's SDK names them, so file-name order is seq order for Dalva's readers too. A
 * segment not sealed yet (a spare, or the one being written, padded with zeros) is
 * {@code .active-<n>.open}: not a {@code *.jsonl} file, so Dalva's readers, which take
 * every line of every {@code *.jsonl} file strictly, never see its padding.
 */
final class SegmentFiles {

    static final Pattern SEALED = Pattern.compile("(\\d{20})-(\\d{20})-([0-9a-f]{64})\\.jsonl");

    private SegmentFiles() {
    }

    /** The name of the {@code n}th segment a journal prepares (not sealed yet). */
    static String openName(long n) {
        return ".active-" + n + ".open";
    }

    static String sealedName(long firstSeq, long lastSeq, String sha256) {
        return String.format("%020d-%020d-%s.jsonl", firstSeq, lastSeq, sha256);
    }

    /** The {first, last} of a sealed name, or {@code null}. */
    static long[] sealedRange(String name) {
        Matcher matcher = SEALED.matcher(name);
        if (!matcher.matches()) {
            return null;
        }
        return new long[] { Long.parseLong(matcher.group(1)), Long.parseLong(matcher.group(2)) };
    }

    static String sealedSha(String name) {
        Matcher matcher = SEALED.matcher(name);
        return matcher.matches() ? matcher.group(3) : null;
    }

    static String sha256(byte[] bytes, int offset, int length) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(bytes, offset, length);
            return HexFormat.of().formatHex(digest.digest());
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** The SHA-256 of a buffer's remaining bytes (a mapping's, read in place). */
    static String sha256(ByteBuffer bytes) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(bytes);
            return HexFormat.of().formatHex(digest.digest());
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    static String sha256(FileChannel channel, long length) throws IOException {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
            for (long position = 0; position < length;) {
                buffer.clear().limit((int) Math.min(buffer.capacity(), length - position));
                int read = channel.read(buffer, position);
                if (read < 0) {
                    throw new IOException("file shorter than " + length + " bytes");
                }
                buffer.flip();
                digest.update(buffer);
                position += read;
            }
            return HexFormat.of().formatHex(digest.digest());
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /**
     * Writes {@code bytes} to {@code target} through a temporary file (written, forced,
     * renamed), so the target holds all of them or does not exist.
     */
    static void writeAtomically(JournalStorage storage, Path target, byte[] bytes, int offset, int length)
            throws IOException {
        writeAtomically(storage, target, bytes, offset, length, true);
    }

    /**
     * Like {@link #writeAtomically(JournalStorage, Path, byte[], int, int)}, forcing the
     * bytes to the device before the rename only when {@code forced}: a caller that
     * forces the file later (at its next sync) saves a device flush per file, and the
     * rename still means all bytes or none to a process that reads the folder after a
     * crash.
     */
    static void writeAtomically(JournalStorage storage, Path target, byte[] bytes, int offset, int length,
            boolean forced) throws IOException {
        Path temporary = target.resolveSibling(target.getFileName() + ".tmp");
        try (FileChannel channel = storage.open(temporary, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            ByteBuffer buffer = ByteBuffer.wrap(bytes, offset, length);
            long position = 0;
            while (buffer.hasRemaining()) {
                position += channel.write(buffer, position);
            }
            if (forced) {
                channel.force(false);
            }
        }
        catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temporary);
            throw e;
        }
        move(temporary, target);
    }

    static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

}
