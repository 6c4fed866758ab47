package io.dalva.internal.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The file {@code delivered}: the highest sequence number the server has taken, as
 * {@code <20 digits> <crc32c of the digits, 8 hex>\n}, rewritten in place. A marker whose
 * check fails (a torn write, a flipped bit, the binary marker of an earlier version)
 * reads as {@link #UNREADABLE}: the journal then sends again what it holds, which the
 * server's "already exists" answers make safe. So the marker can make the journal send
 * too much, never delete too much.
 */
final class DeliveredMarker implements AutoCloseable {

    static final long UNREADABLE = -1;

    private static final int LENGTH = 20 + 1 + 8 + 1;

    private final Path file;

    private final JournalStorage storage;

    private FileChannel channel;

    DeliveredMarker(Path file, JournalStorage storage) {
        this.file = file;
        this.storage = storage;
    }

    /** The recorded seq, 0 when there is no marker, {@link #UNREADABLE} when damaged. */
    static long read(Path file) {
        byte[] bytes;
        try {
            if (!Files.exists(file)) {
                return 0;
            }
            bytes = Files.readAllBytes(file);
        }
        catch (IOException e) {
            return UNREADABLE;
        }
        if (bytes.length != LENGTH || bytes[20] != ' ' || bytes[LENGTH - 1] != '\n') {
            return bytes.length == 0 ? 0 : UNREADABLE;
        }
        String text = new String(bytes, StandardCharsets.US_ASCII);
        try {
            long seq = Long.parseLong(text.substring(0, 20));
            int crc = Integer.parseUnsignedInt(text.substring(21, 29), 16);
            return seq >= 0 && crc == EventEncoder.crc(bytes, 0, 20) ? seq : UNREADABLE;
        }
        catch (NumberFormatException e) {
            return UNREADABLE;
        }
    }

    /** Records {@code seq}; the caller handles the failure (the marker stays behind). */
    void write(long seq) throws IOException {
        byte[] digits = String.format("%020d", seq).getBytes(StandardCharsets.US_ASCII);
        String text = new String(digits, StandardCharsets.US_ASCII) + " "
                + String.format("%08x", EventEncoder.crc(digits, 0, digits.length)) + "\n";
        if (channel == null) {
            channel = storage.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        }
        ByteBuffer buffer = ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII));
        while (buffer.hasRemaining()) {
            channel.write(buffer, buffer.position());
        }
    }

    void force() throws IOException {
        if (channel != null) {
            channel.force(false);
        }
    }

    @Override
    public void close() {
        if (channel != null) {
            try {
                channel.close();
            }
            catch (IOException e) {
                // nothing left to release
            }
            channel = null;
        }
    }

}
