package io.dalva.internal.journal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;

/**
 * Opens the journal's files. Every write of a journal (segments, their preallocation and
 * mapping, the delivered marker) goes through a channel opened here, so a test can hand
 * the journal a storage that fails the way a full disk does.
 */
@FunctionalInterface
public interface JournalStorage {

    /** The real file system. */
    JournalStorage DEFAULT = FileChannel::open;

    FileChannel open(Path file, OpenOption... options) throws IOException;

}
