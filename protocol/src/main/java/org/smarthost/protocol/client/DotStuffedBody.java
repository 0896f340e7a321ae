package org.smarthost.protocol.client;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
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
    /** {@link #buffer} seen as a ByteBuf, for its fast indexOf. */
    private final ByteBuf view = Unpooled.wrappedBuffer(buffer);
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
        // Most lines need nothing: copy the runs between the places that do (a bare LF, a line
        // starting with ".") in bulk, finding line ends with Netty's word-at-a-time search. A
        // loop over every octet was the hot spot of relaying large messages.
        byte[] dst = stuffed;
        int o = 0;
        int copyFrom = 0;
        int i = 0;
        while (true) {
            if (atLineStart && i < n && buffer[i] == '.') {
                System.arraycopy(buffer, copyFrom, dst, o, i - copyFrom);
                o += i - copyFrom;
                dst[o++] = '.';
                copyFrom = i;
            }
            int lf = view.indexOf(i, n, (byte) '\n');
            if (lf < 0) {
                if (i < n) {
                    atLineStart = false;
                    afterCr = buffer[n - 1] == '\r';
                }
                break;
            }
            boolean cr = lf > 0 ? buffer[lf - 1] == '\r' : afterCr;
            if (!cr) {
                System.arraycopy(buffer, copyFrom, dst, o, lf - copyFrom);
                o += lf - copyFrom;
                dst[o++] = '\r';
                copyFrom = lf;
            }
            i = lf + 1;
            atLineStart = true;
            afterCr = false;
        }
        System.arraycopy(buffer, copyFrom, dst, o, n - copyFrom);
        o += n - copyFrom;
        ByteBuf out = allocator.buffer(o);
        out.writeBytes(dst, 0, o);
        progress += o;
        return out;
    }

    @Override public long length() { return -1; }

    @Override public long progress() { return progress; }
}
