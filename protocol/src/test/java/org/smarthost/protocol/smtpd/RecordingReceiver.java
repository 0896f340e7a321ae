package org.smarthost.protocol.smtpd;

import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A MessageReceiver for tests: streams each body to a file in a temp directory (fsync at
 * commit) and records what smtpd handed over. Commit completes on another thread after
 * {@code commitDelayMillis}, like the real queue.
 */
final class RecordingReceiver implements MessageReceiver {

    record Message(String queueId, SessionInfo session, MailFrom sender, List<RcptTo> recipients, Path body) {
        byte[] bytes() throws IOException { return Files.readAllBytes(body); }
        String text() throws IOException { return new String(bytes(), java.nio.charset.StandardCharsets.UTF_8); }
    }

    private final Path dir;
    private final AtomicInteger seq = new AtomicInteger();
    final List<Message> committed = new CopyOnWriteArrayList<>();
    final List<String> aborted = new CopyOnWriteArrayList<>();
    final List<String> opened = new CopyOnWriteArrayList<>();
    final AtomicInteger maxChunk = new AtomicInteger();
    volatile long commitDelayMillis = 5;
    volatile boolean failCommits;
    /** commit() answers the moment smtpd registers for the result, from another thread. */
    volatile boolean completeWhenObserved;

    RecordingReceiver(Path dir) {
        this.dir = dir;
    }

    @Override
    public Transaction open(SessionInfo session, MailFrom sender) {
        String id = String.format("4Test%06dZ", seq.incrementAndGet());
        opened.add(id);
        return new Tx(id, session, sender);
    }

    private final class Tx implements Transaction {
        private final String id;
        private final SessionInfo session;
        private final MailFrom sender;
        private final List<RcptTo> rcpts = new ArrayList<>();
        private final Path file;
        private final FileChannel out;
        private boolean finished;

        Tx(String id, SessionInfo session, MailFrom sender) {
            this.id = id;
            this.session = session;
            this.sender = sender;
            this.file = dir.resolve(id);
            try {
                this.out = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override public String queueId() { return id; }

        @Override public void addRecipient(RcptTo r) { rcpts.add(r); }

        @Override
        public CompletionStage<Void> write(ByteBuf chunk) {
            try {
                maxChunk.accumulateAndGet(chunk.readableBytes(), Math::max);
                while (chunk.isReadable()) chunk.readBytes(out, chunk.readableBytes());
                return READY;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                chunk.release();
            }
        }

        @Override
        public CompletionStage<SmtpReply> commit() {
            if (finished) throw new IllegalStateException("commit after finish");
            finished = true;
            if (completeWhenObserved) {
                return new CompletesWhenObserved(() -> {
                    committed.add(new Message(id, session, sender, List.copyOf(rcpts), file));
                    return SmtpReply.of(250, "2.0.0", "Ok: queued as " + id);
                });
            }
            Executor later = CompletableFuture.delayedExecutor(commitDelayMillis, TimeUnit.MILLISECONDS);
            return CompletableFuture.supplyAsync(() -> {
                if (failCommits) throw new IllegalStateException("disk full");
                try {
                    out.force(true);
                    out.close();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                committed.add(new Message(id, session, sender, List.copyOf(rcpts), file));
                return SmtpReply.of(250, "2.0.0", "Ok: queued as " + id);
            }, later);
        }

        @Override
        public void abort() {
            if (finished) throw new IllegalStateException("abort after finish");
            finished = true;
            aborted.add(id);
            try {
                out.close();
                Files.deleteIfExists(file);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /**
     * The worst timing for smtpd: not complete when smtpd looks, then completed by another
     * thread, synchronously, as soon as smtpd registers a dependent stage (so the dependent runs
     * on that thread, and the result is there before smtpd's next line).
     */
    static final class CompletesWhenObserved extends CompletableFuture<SmtpReply> {
        private final java.util.function.Supplier<SmtpReply> result;

        CompletesWhenObserved(java.util.function.Supplier<SmtpReply> result) {
            this.result = result;
        }

        private <T> T completeElsewhere(T dependent) {
            if (!isDone()) {
                Thread t = new Thread(() -> complete(result.get()), "commit-elsewhere");
                t.start();
                try {
                    t.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return dependent;
        }

        @Override
        public <U> CompletableFuture<U> handle(java.util.function.BiFunction<? super SmtpReply, Throwable, ? extends U> fn) {
            return completeElsewhere(super.handle(fn));
        }

        @Override
        public CompletableFuture<SmtpReply> whenComplete(
                java.util.function.BiConsumer<? super SmtpReply, ? super Throwable> action) {
            return completeElsewhere(super.whenComplete(action));
        }

        @Override
        public <U> CompletableFuture<U> thenApply(java.util.function.Function<? super SmtpReply, ? extends U> fn) {
            return completeElsewhere(super.thenApply(fn));
        }
    }
}
