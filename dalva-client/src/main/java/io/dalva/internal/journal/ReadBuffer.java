package io.dalva.internal.journal;

import io.dalva.internal.logging.WarnThenDebug;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A reader's window on one segment: lines come from the segment's heap bytes, or from its
 * file through the reader's own channel (never through the appender's mapping, which the
 * owner may release at any time). One channel at most is open.
 */
final class ReadBuffer implements AutoCloseable {

    private static final int UNAVAILABLE = -2;

    private final WarnThenDebug readLogger = new WarnThenDebug(ReadBuffer.class);

    private byte[] own = new byte[64 * 1024];

    private byte[] current = own;

    private long start;

    private int length;

    private int lineStart;

    private Segment segment;

    private FileChannel channel;

    void reset() {
        closeChannel();
        segment = null;
        length = 0;
        start = 0;
    }

    byte[] bytes() {
        return current;
    }

    int lineStart() {
        return lineStart;
    }

    /**
     * The length of the line at {@code position} (its newline excluded; {@link #bytes()}
     * from {@link #lineStart()}), -1 when no newline comes before {@code limit}, or
     * {@link #UNAVAILABLE} (below -1) when the file cannot be read now.
     */
    int line(Segment target, int position, int limit) {
        if (target != segment) {
            reset();
            segment = target;
        }
        byte[] heap = target.heap;
        if (heap != null) {
            current = heap;
            lineStart = position;
            for (int i = position; i < limit; i++) {
                if (heap[i] == '\n') {
                    return i - position;
                }
            }
            return -1;
        }
        current = own;
        if (position >= start && position < start + length) {
            int found = find((int) (position - start), length);
            if (found >= 0) {
                lineStart = (int) (position - start);
                return found - lineStart;
            }
        }
        while (true) {
            int wanted = Math.min(own.length, limit - position);
            if (!fill(position, wanted)) {
                return UNAVAILABLE;
            }
            int found = find(0, length);
            if (found >= 0) {
                lineStart = 0;
                return found;
            }
            if (length >= limit - position) {
                return -1;
            }
            own = new byte[own.length * 2]; // a line longer than the buffer
            current = own;
        }
    }

    private int find(int from, int to) {
        for (int i = from; i < to; i++) {
            if (own[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private boolean fill(int position, int wanted) {
        try {
            if (channel == null) {
                channel = openCurrentFile();
            }
            ByteBuffer buffer = ByteBuffer.wrap(own, 0, wanted);
            while (buffer.hasRemaining()) {
                if (channel.read(buffer, position + buffer.position()) < 0) {
                    break;
                }
            }
            start = position;
            length = buffer.position();
            return true;
        }
        catch (IOException e) {
            readLogger.log("Cannot read the journal segment {} ({}); trying again.", segment.file, e.toString());
            closeChannel();
            length = 0;
            return false;
        }
    }

    /** The owner renames a segment when it seals it: follow the new name. */
    private FileChannel openCurrentFile() throws IOException {
        NoSuchFileException last = null;
        for (int attempt = 0; attempt < 100; attempt++) {
            Path file = segment.file;
            try {
                return FileChannel.open(file, StandardOpenOption.READ);
            }
            catch (NoSuchFileException e) {
                last = e;
                Thread.onSpinWait();
            }
        }
        throw last;
    }

    private void closeChannel() {
        if (channel != null) {
            try {
                channel.close();
            }
            catch (IOException e) {
                // released anyway
            }
            channel = null;
        }
    }

    @Override
    public void close() {
        reset();
    }

}
