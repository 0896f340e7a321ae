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

    private static final int CHUNK = 16 * 1024;

    private final InputStream in;
    private final byte[] buffer = new byte[CHUNK];
    /** Each input octet becomes at most two ("\n" → CRLF, a leading "." → ".."). */
    private final byte[] stuffed = new byte[2 * CHUNK];
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
        int n = in.read(buffer);
        onProgress.run();
        if (n < 0) {
            ByteBuf out = allocator.buffer(5);
            if (!atLineStart) {
                if (!afterCr) out.writeByte('\r');
                out.writeByte('\n');
            }
            out.writeByte('.').writeByte('\r').writeByte('\n');
            done = true;
            progress += out.readableBytes();
            return out;
        }
        // Stuffed into a plain array first: ByteBuf.writeByte per octet (bounds and reference
        // count checks each time) was the hot spot of relaying large messages.
        byte[] dst = stuffed;
        int o = 0;
        for (int i = 0; i < n; i++) {
            byte b = buffer[i];
            if (b == '\n') {
                if (!afterCr) dst[o++] = '\r';
                dst[o++] = '\n';
                atLineStart = true;
                afterCr = false;
                continue;
            }
            if (atLineStart && b == '.') dst[o++] = '.';
            dst[o++] = b;
            atLineStart = false;
            afterCr = b == '\r';
        }
        ByteBuf out = allocator.buffer(o);
        out.writeBytes(dst, 0, o);
        progress += o;
        return out;
    }

    @Override public long length() { return -1; }

    @Override public long progress() { return progress; }
}
