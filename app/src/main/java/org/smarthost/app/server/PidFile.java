package org.smarthost.app.server;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.OptionalLong;

/**
 * {@code queue_directory/pid/master.pid}, Postfix's way of knowing whether the mail system runs:
 * the server holds an exclusive lock on it for its whole life and writes its PID into it
 * (right-aligned in ten columns, as Postfix's master does). The lock, not the file's existence,
 * says "running", so a server killed with -9 never leaves a stale "running" behind.
 */
public final class PidFile implements AutoCloseable {

    private final FileChannel channel;
    private final FileLock lock;

    private PidFile(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    public static Path path(Path queueDirectory) {
        return queueDirectory.resolve("pid").resolve("master.pid");
    }

    /**
     * Locks the PID file and writes this process's PID.
     *
     * @throws AlreadyRunningException when another process holds the lock
     */
    public static PidFile acquire(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            channel.close();
            throw new AlreadyRunningException(file);
        }
        channel.truncate(0);
        channel.write(ByteBuffer.wrap(String.format("%10d%n", ProcessHandle.current().pid())
                .getBytes(StandardCharsets.US_ASCII)), 0);
        channel.force(true);
        return new PidFile(channel, lock);
    }

    /** True when some process holds the lock: the mail system is running (or starting). */
    public static boolean isLocked(Path file) {
        if (!Files.exists(file)) return false;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            FileLock lock = channel.tryLock();
            if (lock == null) return true;
            lock.release();
            return false;
        } catch (OverlappingFileLockException e) {
            return true;            // held by this very JVM
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            return false;
        }
    }

    /** The PID in the file, as Postfix's {@code sed 1q pid/master.pid} would show it. */
    public static OptionalLong readPid(Path file) {
        try {
            String text = Files.readString(file, StandardCharsets.US_ASCII).trim();
            return text.isEmpty() ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(text.lines().findFirst().orElse("").trim()));
        } catch (IOException | NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    @Override
    public void close() throws IOException {
        lock.release();
        channel.close();
    }

    /** Another server already holds the PID file lock. */
    public static final class AlreadyRunningException extends IOException {
        public AlreadyRunningException(Path file) {
            super("open lock file " + file + ": unable to set exclusive lock: Resource temporarily unavailable");
        }
    }
}
