package io.dalva.internal.journal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Reads what an earlier process left in a run folder and puts it in order: every file of
 * {@code events/} is read line by line (its name is only a hint), each line is checked on
 * its own, events are ordered by their seq, duplicates are dropped, and what is missing
 * is found. Damaged bytes move to {@code damaged/} (named after the seq range they stand
 * for, never deleted), clean files are sealed ({@link SegmentFiles}), so the folder is
 * again one Dalva's own readers take. When a file cannot be rewritten (a full disk), it
 * stays as it is and readers skip its bad lines.
 */
final class Recovery {

    /** A range of seqs the journal does not hold and has no damaged bytes for. */
    record Gap(long from, long to) {

        MissingRange range() {
            return new MissingRange(from, to);
        }

        long events() {
            return to - from + 1;
        }

        @Override
        public String toString() {
            return "seq " + from + ".." + to + " (" + events() + " event(s))";
        }

    }

    record Result(List<Segment> segments, long lastSeq, long deliveredSeq, List<DamagedRange> damaged, List<Gap> gaps,
            List<String> notes) {
    }

    private enum Kind {

        EVENT, DAMAGED, INCOMPLETE

    }

    private static final class Item {

        final Kind kind;

        final int offset;

        final int length;

        long seq;

        boolean duplicate;

        long rangeFirst;

        long rangeLast;

        Item(Kind kind, int offset, int length) {
            this.kind = kind;
            this.offset = offset;
            this.length = length;
        }

    }

    private static final class Scanned {

        final Path path;

        final byte[] bytes;

        final int dataEnd;

        final List<Item> items = new ArrayList<>();

        final long[] named;

        Scanned(Path path, byte[] bytes, int dataEnd) {
            this.path = path;
            this.bytes = bytes;
            this.dataEnd = dataEnd;
            this.named = SegmentFiles.sealedRange(path.getFileName().toString());
        }

        long firstSeq() {
            for (Item item : items) {
                if (item.kind == Kind.EVENT) {
                    return item.seq;
                }
            }
            return named != null ? named[0] : Long.MAX_VALUE;
        }

        boolean clean() {
            for (Item item : items) {
                if (item.kind != Kind.EVENT || item.duplicate) {
                    return false;
                }
            }
            return true;
        }

    }

    private final Path dir;

    private final JournalStorage storage;

    private final List<DamagedRange> damaged = new ArrayList<>();

    private final List<String> notes = new ArrayList<>();

    private Recovery(Path dir, JournalStorage storage) {
        this.dir = dir;
        this.storage = storage;
    }

    static Result run(Path dir, JournalStorage storage) throws IOException {
        return new Recovery(dir, storage).recover();
    }

    private Result recover() throws IOException {
        Path events = dir.resolve(Journal.EVENTS);
        List<Scanned> files = new ArrayList<>();
        List<Path> paths = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(events)) {
            stream.forEach(paths::add);
        }
        paths.sort(null);
        for (Path path : paths) {
            if (!Files.isRegularFile(path)) {
                continue;
            }
            if (path.getFileName().toString().endsWith(".tmp")) {
                Files.deleteIfExists(path); // an unfinished write of the owner: its
                                            // source
                                            // still exists
                continue;
            }
            byte[] bytes = Files.readAllBytes(path);
            int dataEnd = bytes.length;
            while (dataEnd > 0 && bytes[dataEnd - 1] == 0) {
                dataEnd--;
            }
            if (dataEnd == 0) {
                Files.deleteIfExists(path); // a spare never written
                continue;
            }
            Scanned scanned = new Scanned(path, bytes, dataEnd);
            scan(scanned);
            files.add(scanned);
        }
        files.sort(Comparator.comparingLong(Scanned::firstSeq));
        long maxSeq = order(files);
        inferRanges(files);
        List<DamagedRange> kept = keptDamage();
        List<Segment> segments = new ArrayList<>();
        for (Scanned file : files) {
            Segment segment = settle(file);
            if (segment != null) {
                segments.add(segment);
            }
        }
        segments.sort(Comparator.comparingLong(segment -> segment.firstSeq));
        List<DamagedRange> allDamage = new ArrayList<>(kept);
        allDamage.addAll(damaged);
        long damagedMax = allDamage.stream().mapToLong(DamagedRange::lastSeq).max().orElse(0);
        long highest = Math.max(maxSeq, damagedMax);
        long marker = DeliveredMarker.read(dir.resolve(Journal.DELIVERED));
        long firstPresent = files.stream()
            .flatMap(file -> file.items.stream())
            .filter(item -> item.kind == Kind.EVENT && !item.duplicate)
            .mapToLong(item -> item.seq)
            .min()
            .orElse(highest + 1);
        long delivered;
        if (marker == DeliveredMarker.UNREADABLE) {
            delivered = firstPresent - 1;
            notes.add("the delivered marker is unreadable: everything the journal holds is sent again");
        }
        else if (marker > highest && maxSeq > 0) {
            delivered = firstPresent - 1;
            notes.add("the delivered marker (" + marker + ") is beyond the last event (" + highest
                    + "): everything the journal holds is sent again");
        }
        else {
            delivered = marker;
            highest = Math.max(highest, marker);
        }
        List<Gap> gaps = gaps(files, allDamage, delivered);
        return new Result(segments, highest, delivered, allDamage, gaps, notes);
    }

    /** Splits a file into lines and checks each one. */
    private static void scan(Scanned file) {
        byte[] bytes = file.bytes;
        int position = 0;
        Item damage = null;
        while (position < file.dataEnd) {
            int newline = position;
            while (newline < file.dataEnd && bytes[newline] != '\n') {
                newline++;
            }
            boolean last = newline >= file.dataEnd;
            int length = newline - position;
            JournalEvent event = null;
            boolean nul = false;
            for (int i = position; i < newline; i++) {
                if (bytes[i] == 0) {
                    nul = true;
                    break;
                }
            }
            if (!nul && length > 0) {
                event = EventLine.parse(bytes, position, length);
            }
            if (event != null) {
                Item item = new Item(Kind.EVENT, position, length);
                item.seq = event.seq();
                file.items.add(item);
                damage = null;
            }
            else if (last && file.named == null) {
                // a line the process was writing when it died: its log() never returned
                file.items.add(new Item(Kind.INCOMPLETE, position, file.dataEnd - position));
            }
            else if (damage != null) {
                file.items.set(file.items.size() - 1, damage = new Item(Kind.DAMAGED, damage.offset,
                        Math.min(newline + 1, file.dataEnd) - damage.offset));
            }
            else {
                damage = new Item(Kind.DAMAGED, position, Math.min(newline + 1, file.dataEnd) - position);
                file.items.add(damage);
            }
            position = newline + 1;
        }
    }

    /**
     * Marks events whose seq an earlier file (or line) holds already; the highest seq.
     */
    private long order(List<Scanned> files) {
        long maxSeq = 0;
        int duplicates = 0;
        for (Scanned file : files) {
            for (Item item : file.items) {
                if (item.kind != Kind.EVENT) {
                    continue;
                }
                if (item.seq <= maxSeq) {
                    item.duplicate = true;
                    duplicates++;
                }
                else {
                    maxSeq = item.seq;
                }
            }
        }
        if (duplicates > 0) {
            notes.add(duplicates + " event(s) held twice (overlapping segments): each is sent once");
        }
        return maxSeq;
    }

    /**
     * The seqs each damaged stretch stands for: those between the events around it, or
     * (with none after it) one per line it spans; and what a sealed file's name promises
     * but its bytes lack.
     */
    private void inferRanges(List<Scanned> files) {
        long previous = 0;
        List<Item> open = new ArrayList<>();
        for (Scanned file : files) {
            for (Item item : file.items) {
                if (item.kind == Kind.EVENT && !item.duplicate) {
                    assign(open, previous, item.seq);
                    previous = item.seq;
                }
                else if (item.kind == Kind.DAMAGED) {
                    open.add(item);
                }
            }
            if (file.named != null && previous < file.named[1]) {
                if (!open.isEmpty()) {
                    assign(open, Math.max(previous, file.named[0] - 1), file.named[1] + 1);
                }
                else {
                    Item missing = new Item(Kind.DAMAGED, file.dataEnd, 0);
                    missing.rangeFirst = previous + 1;
                    missing.rangeLast = file.named[1];
                    file.items.add(missing);
                }
                previous = file.named[1];
            }
        }
        for (Item item : open) {
            long lines = 0;
            for (Scanned file : files) {
                if (file.items.contains(item)) {
                    for (int i = item.offset; i < item.offset + item.length; i++) {
                        lines += file.bytes[i] == '\n' ? 1 : 0;
                    }
                }
            }
            item.rangeFirst = previous + 1;
            item.rangeLast = previous + Math.max(1, lines);
            previous = item.rangeLast;
        }
    }

    private static void assign(List<Item> open, long previous, long next) {
        if (open.isEmpty()) {
            return;
        }
        for (Item item : open) {
            item.rangeFirst = previous + 1;
            item.rangeLast = next - 1;
        }
        // several stretches between the same two events share the range: only the first
        // counts it
        for (int i = 1; i < open.size(); i++) {
            open.get(i).rangeFirst = next;
            open.get(i).rangeLast = next - 1;
        }
        open.clear();
    }

    /** Damage an earlier recovery moved to {@code damaged/}: its name holds its range. */
    private List<DamagedRange> keptDamage() throws IOException {
        Path folder = dir.resolve(Journal.DAMAGED);
        List<DamagedRange> kept = new ArrayList<>();
        if (!Files.isDirectory(folder)) {
            return kept;
        }
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(folder)) {
            for (Path path : stream) {
                String name = path.getFileName().toString();
                String[] parts = name.split("\\.", 2);
                String[] range = parts[0].split("-");
                if (range.length != 2 || parts.length < 2) {
                    continue;
                }
                String file = parts[1].replaceFirst("\\.\\d+$", ""); // <segment
                                                                     // name>.<offset>
                try {
                    kept.add(new DamagedRange(file, Long.parseLong(range[0]), Long.parseLong(range[1]),
                            Files.size(path), path.toString()));
                }
                catch (NumberFormatException e) {
                    // incomplete tails and files of other tools: not ranges
                }
            }
        }
        return kept;
    }

    /**
     * Seals a clean file where it is, or rewrites a damaged one: its good lines into a
     * sealed file, its damaged bytes into {@code damaged/}; the original goes last.
     */
    private Segment settle(Scanned file) {
        List<Item> good = new ArrayList<>();
        for (Item item : file.items) {
            if (item.kind == Kind.EVENT && !item.duplicate) {
                good.add(item);
            }
        }
        int contentEnd = good.isEmpty() ? 0 : good.get(good.size() - 1).offset + good.get(good.size() - 1).length;
        boolean newlineAtEnd = contentEnd < file.bytes.length && file.bytes[contentEnd] == '\n';
        String name = file.path.getFileName().toString();
        try {
            if (file.clean() && newlineAtEnd) {
                return sealInPlace(file, good, contentEnd + 1);
            }
            Segment segment = null;
            if (!good.isEmpty()) {
                byte[] content = new byte[file.bytes.length + 1];
                int length = 0;
                for (Item item : good) {
                    System.arraycopy(file.bytes, item.offset, content, length, item.length);
                    length += item.length;
                    content[length++] = '\n';
                }
                long first = good.get(0).seq;
                long last = good.get(good.size() - 1).seq;
                Path target = file.path
                    .resolveSibling(SegmentFiles.sealedName(first, last, SegmentFiles.sha256(content, 0, length)));
                SegmentFiles.writeAtomically(storage, target, content, 0, length);
                segment = Segment.sealed(target, first, last, length);
            }
            Path folder = dir.resolve(Journal.DAMAGED);
            Files.createDirectories(folder);
            for (Item item : file.items) {
                if (item.kind == Kind.DAMAGED) {
                    String prefix = String.format("%d-%d", item.rangeFirst, item.rangeLast);
                    Path kept = folder.resolve(prefix + "." + name + "." + item.offset);
                    SegmentFiles.writeAtomically(storage, kept, file.bytes, item.offset, item.length);
                    damaged.add(new DamagedRange(name, item.rangeFirst, item.rangeLast, item.length, kept.toString()));
                }
                else if (item.kind == Kind.INCOMPLETE) {
                    Path kept = folder.resolve("incomplete." + name + "." + item.offset);
                    SegmentFiles.writeAtomically(storage, kept, file.bytes, item.offset, item.length);
                    notes.add("an incomplete last event in " + name + " (its process died while writing it, before "
                            + "log() returned): " + item.length + " bytes kept in " + kept);
                }
            }
            if (segment == null || !segment.file.equals(file.path)) {
                Files.deleteIfExists(file.path);
            }
            return segment;
        }
        catch (IOException | RuntimeException e) {
            notes.add("cannot rewrite " + name + " (" + e.getMessage() + "): it stays as it is; its bad lines are "
                    + "skipped");
            for (Item item : file.items) {
                if (item.kind == Kind.DAMAGED) {
                    damaged.add(new DamagedRange(name, item.rangeFirst, item.rangeLast, item.length, null));
                }
            }
            if (good.isEmpty()) {
                return null;
            }
            Segment segment = new Segment(good.get(0).seq, file.dataEnd);
            segment.file = file.path;
            segment.lastSeq = good.get(good.size() - 1).seq;
            segment.limit = file.dataEnd;
            segment.retired = true;
            segment.sealed = false;
            return segment;
        }
    }

    private Segment sealInPlace(Scanned file, List<Item> good, int length) throws IOException {
        long first = good.get(0).seq;
        long last = good.get(good.size() - 1).seq;
        String sha = SegmentFiles.sha256(file.bytes, 0, length);
        String sealedName = SegmentFiles.sealedName(first, last, sha);
        if (file.path.getFileName().toString().equals(sealedName)) {
            return Segment.sealed(file.path, first, last, length);
        }
        if (length < file.bytes.length) {
            try (FileChannel channel = storage.open(file.path, StandardOpenOption.WRITE)) {
                channel.truncate(length);
                channel.force(false);
            }
        }
        Path target = file.path.resolveSibling(sealedName);
        SegmentFiles.move(file.path, target);
        return Segment.sealed(target, first, last, length);
    }

    private static List<Gap> gaps(List<Scanned> files, List<DamagedRange> damage, long delivered) {
        List<Gap> gaps = new ArrayList<>();
        long expected = delivered + 1;
        for (Scanned file : files) {
            for (Item item : file.items) {
                if (item.kind != Kind.EVENT || item.duplicate || item.seq < expected) {
                    continue;
                }
                long from = expected;
                while (from < item.seq) {
                    long start = from;
                    DamagedRange covering = damage.stream()
                        .filter(range -> range.events() > 0 && range.firstSeq() <= start && range.lastSeq() >= start)
                        .findFirst()
                        .orElse(null);
                    if (covering != null) {
                        from = covering.lastSeq() + 1;
                        continue;
                    }
                    long end = item.seq - 1;
                    for (DamagedRange range : damage) {
                        if (range.events() > 0 && range.firstSeq() > start && range.firstSeq() <= end) {
                            end = range.firstSeq() - 1;
                        }
                    }
                    gaps.add(new Gap(start, end));
                    from = end + 1;
                }
                expected = item.seq + 1;
            }
        }
        return gaps;
    }

}
