package org.smarthost.actors.queue;

import static org.smarthost.persistence.serialization.LengthPrefixed.writeString;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.CRC32C;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;
import org.smarthost.persistence.queue.QueueName;
import org.smarthost.persistence.serialization.LengthPrefixed;

/**
 * Where an {@link IndexSnapshot} is kept: one file next to the journal, written whole to a
 * temporary name and renamed, with a checksum at the end, so a reader sees a complete snapshot
 * or none. The file also names the journal it describes (RocksDB's IDENTITY, when there is
 * one), so a snapshot left behind by a removed or replaced queue database is not believed.
 */
final class IndexSnapshotFile {

    private static final int MAGIC = 0x53485149; // "SHQI"
    /** Bump when the layout or IndexEntry changes: an older file is then ignored, not misread. */
    private static final int VERSION = 1;
    /** A string longer than this is corruption, not a reason text or an address. */
    private static final int MAX_STRING = 1 << 20;

    private final Path file;
    private final Path journalIdentity;

    /**
     * @param file            the snapshot file
     * @param journalIdentity a file whose content identifies the journal (may not exist)
     */
    IndexSnapshotFile(Path file, Path journalIdentity) {
        this.file = file;
        this.journalIdentity = journalIdentity;
    }

    /** For the queue stored in {@code storeDirectory} (RocksDB keeps its IDENTITY there). */
    static IndexSnapshotFile in(Path storeDirectory) {
        return new IndexSnapshotFile(storeDirectory.resolve("qmgr.index"), storeDirectory.resolve("IDENTITY"));
    }

    Path path() {
        return file;
    }

    void write(IndexSnapshot snapshot) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        CRC32C crc = new CRC32C();
        try (OutputStream raw = Files.newOutputStream(tmp);
             DataOutputStream out = new DataOutputStream(new CheckedOutputStream(
                     new BufferedOutputStream(raw, 1 << 16), crc))) {
            out.writeInt(MAGIC);
            out.writeInt(VERSION);
            writeString(out, journalId());
            writeString(out, snapshot.policy());
            out.writeLong(snapshot.afterOffset());
            out.writeInt(snapshot.entries().size());
            for (IndexSnapshot.Saved s : snapshot.entries()) writeEntry(out, s);
            out.writeInt(snapshot.unresolved().size());
            for (Map.Entry<String, Long> u : snapshot.unresolved().entrySet()) {
                writeString(out, u.getKey());
                out.writeLong(u.getValue());
            }
            out.flush();
            new DataOutputStream(raw).writeLong(crc.getValue());
        }
        try (var channel = java.nio.channels.FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * The saved snapshot, or empty when there is none or it describes another journal.
     *
     * @throws IOException when the file is there but unreadable or damaged
     */
    Optional<IndexSnapshot> read() throws IOException {
        InputStream raw;
        try {
            raw = Files.newInputStream(file);
        } catch (NoSuchFileException none) {
            return Optional.empty();
        }
        long size = Files.size(file);
        CRC32C crc = new CRC32C();
        BufferedInputStream buffered = new BufferedInputStream(raw, 1 << 16);
        try (raw; DataInputStream in = new DataInputStream(new CheckedInputStream(buffered, crc))) {
            if (size < 16 || in.readInt() != MAGIC) throw new IOException("not a queue index snapshot");
            if (in.readInt() != VERSION) return Optional.empty();
            if (!readString(in).equals(journalId())) return Optional.empty();
            String policy = readString(in);
            long afterOffset = in.readLong();
            int n = count(in);
            List<IndexSnapshot.Saved> entries = new ArrayList<>(n);
            for (int i = 0; i < n; i++) entries.add(readEntry(in));
            int u = count(in);
            Map<String, Long> unresolved = new HashMap<>();
            for (int i = 0; i < u; i++) unresolved.put(readString(in), in.readLong());
            long expected = crc.getValue();
            // the checksum itself is read past the checked stream (which reads ahead nothing)
            if (new DataInputStream(buffered).readLong() != expected) throw new IOException("checksum mismatch");
            return Optional.of(new IndexSnapshot(policy, afterOffset, entries, unresolved));
        } catch (EOFException | IllegalArgumentException e) {
            throw new IOException("truncated or damaged: " + e, e);
        }
    }

    private String journalId() throws IOException {
        try {
            return Files.readString(journalIdentity, StandardCharsets.UTF_8).trim();
        } catch (NoSuchFileException none) {
            return "";
        }
    }

    private static void writeEntry(DataOutputStream out, IndexSnapshot.Saved s) throws IOException {
        IndexEntry e = s.entry();
        writeString(out, e.queueId());
        out.writeByte(e.queue().ordinal());
        out.writeLong(e.arrival());
        out.writeLong(e.size());
        writeString(out, e.sender());
        out.writeInt(e.recipients().length);
        for (int i = 0; i < e.recipients().length; i++) {
            writeString(out, e.recipients()[i]);
            writeString(out, e.reasons()[i]);
        }
        out.writeLong(e.nextAttempt());
        out.writeLong(e.lastDeferred());
        out.writeBoolean(e.forcedExpire());
        out.writeLong(e.seqNr());
        out.writeLong(s.firstOffset());
    }

    private static IndexSnapshot.Saved readEntry(DataInputStream in) throws IOException {
        String queueId = readString(in);
        int queue = in.readUnsignedByte();
        if (queue >= QueueName.values().length) throw new IOException("bad queue number " + queue);
        long arrival = in.readLong();
        long size = in.readLong();
        String sender = readString(in);
        int n = count(in);
        String[] recipients = new String[n];
        String[] reasons = new String[n];
        for (int i = 0; i < n; i++) {
            recipients[i] = readString(in);
            reasons[i] = readString(in).intern(); // shared as in IndexEntry.of
        }
        IndexEntry entry = new IndexEntry(queueId, QueueName.values()[queue], arrival, size, sender, recipients,
                reasons, in.readLong(), in.readLong(), in.readBoolean(), in.readLong());
        return new IndexSnapshot.Saved(entry, in.readLong());
    }

    private static String readString(DataInputStream in) throws IOException {
        return LengthPrefixed.readString(in, MAX_STRING, "damaged queue index snapshot");
    }

    private static int count(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > 100_000_000) throw new IOException("bad count " + n);
        return n;
    }
}
