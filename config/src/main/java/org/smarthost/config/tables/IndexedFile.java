package org.smarthost.config.tables;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.zip.CRC32;
import java.util.zip.CheckedOutputStream;

/**
 * smarthost's own indexed table file, what postmap builds for hash:, btree:, lmdb: and cdb:
 * (smarthost links neither Berkeley DB nor LMDB, so a file made by Postfix's postmap is not
 * readable and must be rebuilt from its source). Layout, big-endian:
 * <pre>
 *   8 bytes  "SMHTABLE"      magic, so a foreign file is recognised at once
 *   int      version (1)
 *   int      entry count
 *   entries  int key length, key UTF-8 bytes, int value length, value UTF-8 bytes; keys sorted
 *   long     CRC-32 of everything before it, so a truncated or damaged file is refused
 * </pre>
 * A reader loads the whole file into an immutable map: one sequential read, no locking, and
 * lookups as fast as a HashMap (a million entries take well under a second to load). A writer
 * never changes a file in place: it writes a temporary file in the same directory, syncs it,
 * and renames it over the old one, so a running server sees the old table or the new one.
 */
public final class IndexedFile {

    private static final byte[] MAGIC = "SMHTABLE".getBytes(StandardCharsets.US_ASCII);
    private static final int VERSION = 1;

    private IndexedFile() {
    }

    /** Why a file cannot be read as a table; the message is the whole reason, ready for the admin. */
    public static final class FormatException extends Exception {
        FormatException(String message) {
            super(message);
        }
    }

    /**
     * Reads a table file.
     *
     * @param displayName the file's name for messages, as the user wrote it
     * @param rebuild     the command that rebuilds it, for the message about a foreign file
     */
    public static Map<String, String> read(Path file, String displayName, String rebuild)
            throws IOException, FormatException {
        byte[] bytes = Files.readAllBytes(file);
        if (bytes.length < MAGIC.length || !Arrays.equals(bytes, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new FormatException(displayName + " is not in smarthost's table format (it may have been made by"
                    + " Postfix's postmap or another program); run smarthost's \"" + rebuild + "\" to rebuild it");
        }
        if (bytes.length < MAGIC.length + 16) {
            throw corrupt(displayName, rebuild);
        }
        CRC32 crc = new CRC32();
        crc.update(bytes, 0, bytes.length - 8);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        if (in.getLong(bytes.length - 8) != crc.getValue()) {
            throw corrupt(displayName, rebuild);
        }
        in.position(MAGIC.length);
        int version = in.getInt();
        if (version != VERSION) {
            throw new FormatException(displayName + ": unsupported smarthost table version " + version
                    + "; run \"" + rebuild + "\" to rebuild it");
        }
        try {
            int count = in.getInt();
            Map<String, String> entries = new HashMap<>(Math.max(16, (int) (count / 0.75f) + 1));
            for (int i = 0; i < count; i++) {
                entries.put(string(in), string(in));
            }
            if (in.position() != bytes.length - 8) throw corrupt(displayName, rebuild);
            return Collections.unmodifiableMap(entries);
        } catch (BufferUnderflowException | IllegalArgumentException | IndexOutOfBoundsException e) {
            throw corrupt(displayName, rebuild);
        }
    }

    /**
     * Replaces {@code file} with a table holding {@code entries}, atomically.
     *
     * @param permissions the new file's mode (Postfix copies the source file's), or null for rw-r--r--
     */
    public static void write(Path file, Map<String, String> entries, Set<PosixFilePermission> permissions)
            throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = Files.createTempFile(dir, "." + file.getFileName() + ".", ".tmp");
        try {
            try (FileOutputStream fos = new FileOutputStream(tmp.toFile())) {
                CheckedOutputStream checked = new CheckedOutputStream(new BufferedOutputStream(fos, 1 << 16), new CRC32());
                DataOutputStream out = new DataOutputStream(checked);
                out.write(MAGIC);
                out.writeInt(VERSION);
                out.writeInt(entries.size());
                for (Map.Entry<String, String> e : new TreeMap<>(entries).entrySet()) {
                    bytes(out, e.getKey());
                    bytes(out, e.getValue());
                }
                out.writeLong(checked.getChecksum().getValue());
                out.flush();
                fos.getFD().sync();
            }
            try {
                Files.setPosixFilePermissions(tmp, permissions != null ? permissions
                        : java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system: keep the default mode
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            syncDirectory(dir);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static FormatException corrupt(String displayName, String rebuild) {
        return new FormatException(displayName + ": truncated or damaged smarthost table; run \""
                + rebuild + "\" to rebuild it");
    }

    private static String string(ByteBuffer in) {
        int length = in.getInt();
        if (length < 0 || length > in.remaining()) throw new IllegalArgumentException("bad length");
        return new String(bytes(in, length), StandardCharsets.UTF_8);
    }

    private static byte[] bytes(ByteBuffer in, int length) {
        byte[] b = new byte[length];
        in.get(b);
        return b;
    }

    private static void bytes(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    /** So the rename itself survives a crash (Linux: fsync on the directory). */
    private static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // some systems cannot open a directory for syncing; the rename is still atomic
        }
    }
}
