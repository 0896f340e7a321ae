package org.smarthost.protocol.client;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.stream.ChunkedInput;
import java.io.IOException;
import java.io.InputStream;

/**
 * Message content as SMTP DATA wants it, produced chunk by chunk so that a message is never held
 * whole in memory: bare LF becomes CRLF, a line starting with "." gets another "." (RFC 5321
 * 4.5.2), a missing final line end is added, then the ".CRLF" terminator.
 */
final class DotStuffedBody implements ChunkedInput<ByteBuf> {

    /**
     * At most this much content per chunk, and so per send(2): a 100 KB message goes out in two
     * writes instead of seven, and a delivery holds at most ~200 KB of buffers (the chunk and
     * its stuffed copy, which can be twice as long).
     */
    static final int CHUNK = 64 * 1024;

    private final InputStream in;
    /**
     * Sized at the first read from what the stream has ready (a body's first chunk), so a 2 KB
     * message does not get 16 KB of buffer: this was the largest source of garbage per delivery.
     */
    private byte[] buffer;
    private final Runnable onProgress;
    private boolean atLineStart = true;
    private boolean afterCr;
    private boolean done;
    private long progress;

    DotStuffedBody(InputStream in, Runnable onProgress) {
        this.in = in;
        this.onProgress = onProgress;
    }

    @Override public boolean isEndOfInput() { return done; }

    @Override public void close() throws IOException { in.close(); }

    @Deprecated
    @Override public ByteBuf readChunk(ChannelHandlerContext ctx) throws Exception {
        return readChunk(ctx.alloc());
    }

    @Override public ByteBuf readChunk(ByteBufAllocator allocator) throws IOException {
        if (done) return null;
        if (buffer == null) {
            // One more than what is ready, so that reading all of a small body leaves room and
            // the next read can see its end: the body and its terminator then go out together.
            int ready = in.available();
            buffer = new byte[ready > 0 ? (int) Math.min(CHUNK, ready + 1L) : CHUNK];
        }
        int n = 0;
        boolean end = false;
        while (n < buffer.length) {
            int r = in.read(buffer, n, buffer.length - n);
            onProgress.run();
            if (r < 0) {
                end = true;
                break;
            }
            n += r;
        }
        // Most lines need nothing: copy the runs between the places that do (a bare LF, a line
        // starting with ".") in bulk, finding line ends with a word-at-a-time search. A
        // loop over every octet was the hot spot of relaying large messages. Each input octet
        // becomes at most two ("\n" → CRLF, a leading "." → ".."); the buffer grows if needed.
        ByteBuf out = allocator.buffer(n + n / 32 + 8, 2 * n + 8);
        int copyFrom = 0;
        int i = 0;
        while (true) {
            if (atLineStart && i < n && buffer[i] == '.') {
                out.writeBytes(buffer, copyFrom, i - copyFrom).writeByte('.');
                copyFrom = i;
            }
            int lf = LineFeedSearch.indexOf(buffer, i, n);
            if (lf < 0) {
                if (i < n) {
                    atLineStart = false;
                    afterCr = buffer[n - 1] == '\r';
                }
                break;
            }
            boolean cr = lf > 0 ? buffer[lf - 1] == '\r' : afterCr;
            if (!cr) {
                out.writeBytes(buffer, copyFrom, lf - copyFrom).writeByte('\r');
                copyFrom = lf;
            }
            i = lf + 1;
            atLineStart = true;
            afterCr = false;
        }
        out.writeBytes(buffer, copyFrom, n - copyFrom);
        if (end) {
            // The terminator joins the last piece of content: each chunk is one send(2) (the
            // chunked writer flushes every chunk), and a 2 KB message used to take two.
            if (!atLineStart) {
                if (!afterCr) out.writeByte('\r');
                out.writeByte('\n');
            }
            out.writeByte('.').writeByte('\r').writeByte('\n');
            done = true;
        }
        progress += out.readableBytes();
        return out;
    }

    @Override public long length() { return -1; }

    @Override public long progress() { return progress; }
}
