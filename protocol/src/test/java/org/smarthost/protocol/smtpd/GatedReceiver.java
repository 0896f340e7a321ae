package org.smarthost.protocol.smtpd;

import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A receiver with a deliberately slow disk: each transaction's content goes through a bounded
 * in-memory buffer to a file, but the "disk" thread appends nothing until {@link #release()}.
 * It keeps the backpressure contract of {@link Transaction#write} the way the real queue does
 * (pending stage above {@link #HIGH_WATER}, ready again at {@link #LOW_WATER}) and counts what
 * it holds, so tests can check that smtpd really stops feeding it.
 */
final class GatedReceiver implements MessageReceiver, AutoCloseable {

    static final long HIGH_WATER = 256 * 1024;
    static final long LOW_WATER = 64 * 1024;

    record Message(String queueId, Path body) { }

    private final Path dir;
    private final CountDownLatch gate = new CountDownLatch(1);
    private final ExecutorService disk = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "gated-disk");
        t.setDaemon(true);
        return t;
    });
    private final AtomicInteger seq = new AtomicInteger();
    final List<Message> committed = new CopyOnWriteArrayList<>();
    final List<String> aborted = new CopyOnWriteArrayList<>();
    /** Bytes taken by write() and not yet on disk, over all transactions. */
    final AtomicLong buffered = new AtomicLong();
    final AtomicLong maxBuffered = new AtomicLong();
    final AtomicLong maxChunk = new AtomicLong();
    final AtomicLong accepted = new AtomicLong();
    /** How often write() told smtpd to wait. */
    final AtomicInteger pauses = new AtomicInteger();

    GatedReceiver(Path dir) {
        this.dir = dir;
    }

    /** Let the disk run (from now on it never blocks again). */
    void release() {
        gate.countDown();
    }

    @Override
    public void close() {
        gate.countDown();
        disk.shutdownNow();
    }

    @Override
    public Transaction open(SessionInfo session, MailFrom sender) {
        return new Tx(String.format("4Gate%06dZ", seq.incrementAndGet()));
    }

    private void awaitGate() {
        try {
            gate.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private final class Tx implements Transaction {
        private final String id;
        private final Path file;
        private final FileChannel out;
        private volatile CompletableFuture<Void> writable;
        private boolean finished;

        Tx(String id) {
            this.id = id;
            this.file = dir.resolve(id);
            try {
                out = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override public String queueId() { return id; }

        @Override public void addRecipient(RcptTo r) { }

        @Override
        public CompletionStage<Void> write(ByteBuf chunk) {
            byte[] bytes = new byte[chunk.readableBytes()];
            chunk.readBytes(bytes);
            chunk.release();
            maxChunk.accumulateAndGet(bytes.length, Math::max);
            accepted.addAndGet(bytes.length);
            long now = buffered.addAndGet(bytes.length);
            maxBuffered.accumulateAndGet(now, Math::max);
            disk.execute(() -> append(bytes));
            if (now <= HIGH_WATER) return READY;
            pauses.incrementAndGet();
            CompletableFuture<Void> w = new CompletableFuture<>();
            writable = w;
            if (buffered.get() <= LOW_WATER) w.complete(null);
            return w;
        }

        private void append(byte[] bytes) {
            awaitGate();
            // A disk slower than loopback, also after the gate opens: otherwise the disk thread can
            // keep up with the socket once released, and a test sees a single pause by chance.
            LockSupport.parkNanos(200_000);
            try {
                ByteBuffer b = ByteBuffer.wrap(bytes);
                while (b.hasRemaining()) out.write(b);
            } catch (IOException e) {
                // the transaction was aborted and the file closed
            }
            if (buffered.addAndGet(-bytes.length) <= LOW_WATER) {
                CompletableFuture<Void> w = writable;
                if (w != null) w.complete(null);
            }
        }

        @Override
        public CompletionStage<SmtpReply> commit() {
            if (finished) throw new IllegalStateException("commit after finish");
            finished = true;
            // The disk thread runs in order: this follows every append of this message.
            return CompletableFuture.supplyAsync(() -> {
                awaitGate();
                try {
                    out.force(true);
                    out.close();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                committed.add(new Message(id, file));
                return SmtpReply.of(250, "2.0.0", "Ok: queued as " + id);
            }, disk);
        }

        @Override
        public void abort() {
            if (finished) throw new IllegalStateException("abort after finish");
            finished = true;
            aborted.add(id);
            disk.execute(() -> {
                try {
                    out.close();
                    Files.deleteIfExists(file);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
