package org.smarthost.protocol.smtpd.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Server side of the SMTP wire format: splits command lines, and in DATA/BDAT mode turns the
 * byte stream into message content. The session handler switches modes ({@link #startData},
 * {@link #startBdat}) synchronously while handling a decoded message, which is safe because
 * ByteToMessageDecoder hands each decoded message on before decoding the next one.
 *
 * <p>End-of-DATA follows Postfix 3.9 smtpd_forbid_bare_newline: only a "." line is the end,
 * and with {@code requireStdEod} the "." line and the line before it must both end in CRLF; a
 * "." line next to a bare LF is silently dropped (SMTP smuggling defence). Lines are split only
 * at LF, so a bare CR never ends a line. Lines longer than line_length_limit are passed on in
 * pieces, as Postfix's REC_TYPE_CONT records, and a piece that continues a line is never
 * treated as a "." line.
 *
 * <p>Content is handed on in pieces of about {@link #CHUNK} bytes, at most one per
 * {@code decode} call. ByteToMessageDecoder fires each piece before calling {@code decode}
 * again, so when the session {@link #pause pauses} us because the queue cannot take more
 * (backpressure) the rest of the input stays here, undecoded, until {@link #resume}: nothing
 * is decoded ahead into memory, and no byte is lost or reordered.
 */
public final class SmtpServerDecoder extends ByteToMessageDecoder {

    private enum Mode { COMMAND, DATA, BDAT }

    /** Flush decoded content to the session in pieces of about this size. */
    private static final int CHUNK = 64 * 1024;

    private int lineLimit;
    private boolean requireStdEod;

    private ChannelHandlerContext ctx;
    private Mode mode = Mode.COMMAND;
    private boolean paused;
    private boolean skippingLongCommand;
    private String longCommandHead;

    // DATA/BDAT state
    private boolean atLineStart;
    private boolean prevBareLf;
    private boolean bareLfSeen;
    private ByteBuf out;

    // BDAT state
    private long bdatRemaining;
    private boolean bdatLast;
    private boolean bdatDiscard;
    private boolean bdatPendingCr;
    private boolean bdatWroteAny;
    private boolean bdatEndsInLf = true;

    public SmtpServerDecoder(int lineLimit, boolean requireStdEod) {
        this.lineLimit = lineLimit;
        this.requireStdEod = requireStdEod;
    }

    /** The longest command line; AUTH raises it to smtpd_sasl_response_limit while a response is due. */
    public void lineLimit(int limit) { this.lineLimit = limit; }

    /** Set per client: smtpd_forbid_bare_newline_exclusions turns it off for some clients. */
    public void requireStdEod(boolean on) { this.requireStdEod = on; }

    /** Switch to DATA content after the 354 reply. */
    public void startData() {
        mode = Mode.DATA;
        atLineStart = true;
        prevBareLf = false;
        bareLfSeen = false;
    }

    /**
     * Read one BDAT chunk of {@code size} bytes. With {@code discard} the bytes are skipped
     * (Postfix's skip_bdat after an error) and only {@link SmtpdInput.ContentEnd} is produced.
     * {@code first} starts a new message.
     */
    public void startBdat(long size, boolean last, boolean discard, boolean first) {
        mode = Mode.BDAT;
        bdatRemaining = size;
        bdatLast = last;
        bdatDiscard = discard;
        if (first) {
            bdatPendingCr = false;
            bdatWroteAny = false;
            bdatEndsInLf = true;
            bareLfSeen = false;
        }
    }

    /** Stop decoding until {@link #resume}; input stays buffered. */
    public void pause() { paused = true; }

    public boolean isPaused() { return paused; }

    /** Continue decoding input that arrived (or stayed buffered) while paused. */
    public void resume() throws Exception {
        paused = false;
        if (ctx != null && !ctx.isRemoved()) channelRead(ctx, Unpooled.EMPTY_BUFFER);
    }

    /**
     * While paused, reading stops only once input actually arrives: one more read is kept here,
     * then the rest waits in the kernel. A session usually pauses while its client waits for the
     * reply and sends nothing, and turning reading off and on around every such wait cost two
     * epoll_ctl calls each time on the native transport.
     */
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (paused && msg instanceof ByteBuf b && b.isReadable()) ctx.channel().config().setAutoRead(false);
        super.channelRead(ctx, msg);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
        this.ctx = ctx;
        super.handlerAdded(ctx);
    }

    /** Bytes already received but not yet decoded: the pipelined input after the current command. */
    public int pendingInput() {
        ByteBuf b = internalBuffer();
        return b.readableBytes();
    }

    /**
     * Drop the input received but not yet decoded (plaintext pipelined after STARTTLS). Safe while
     * the session handles a decoded command: ByteToMessageDecoder looks at the buffer again only
     * after that returns.
     */
    public void discardPending() {
        ByteBuf b = internalBuffer();
        b.skipBytes(b.readableBytes());
    }

    /** Up to {@code max} bytes of pending input, for Postfix's "improper command pipelining" log. */
    public byte[] peekPending(int max) {
        ByteBuf b = internalBuffer();
        byte[] r = new byte[Math.min(max, b.readableBytes())];
        b.getBytes(b.readerIndex(), r);
        return r;
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
        if (paused) {
            // Don't let ByteToMessageDecoder ask for more input while the session waits.
            ctx.fireChannelReadComplete();
            return;
        }
        super.channelReadComplete(ctx);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> outList) {
        if (paused) return;
        switch (mode) {
            case COMMAND -> decodeCommand(in, outList);
            case DATA -> decodeData(ctx, in, outList);
            case BDAT -> decodeBdat(ctx, in, outList);
        }
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        if (out != null) {
            out.release();
            out = null;
        }
    }

    // ---- command mode

    private void decodeCommand(ByteBuf in, List<Object> outList) {
        int lf = in.indexOf(in.readerIndex(), in.writerIndex(), (byte) '\n');
        if (skippingLongCommand) {
            if (lf < 0) {
                in.skipBytes(in.readableBytes());
                return;
            }
            in.readerIndex(lf + 1);
            skippingLongCommand = false;
            outList.add(new SmtpdInput.CommandTooLong(longCommandHead));
            return;
        }
        if (lf < 0) {
            if (in.readableBytes() > lineLimit) {
                longCommandHead = in.toString(in.readerIndex(), Math.min(30, in.readableBytes()), StandardCharsets.ISO_8859_1);
                in.skipBytes(in.readableBytes());
                skippingLongCommand = true;
            }
            return;
        }
        int len = lf - in.readerIndex();
        boolean cr = len > 0 && in.getByte(lf - 1) == '\r';
        int textLen = cr ? len - 1 : len;
        if (textLen > lineLimit) {
            String head = in.toString(in.readerIndex(), Math.min(30, textLen), StandardCharsets.ISO_8859_1);
            in.readerIndex(lf + 1);
            outList.add(new SmtpdInput.CommandTooLong(head));
            return;
        }
        byte[] bytes = new byte[textLen];
        in.getBytes(in.readerIndex(), bytes);
        in.readerIndex(lf + 1);
        String line;
        boolean badUtf8 = false;
        try {
            line = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            line = new String(bytes, StandardCharsets.ISO_8859_1);
            badUtf8 = true;
        }
        outList.add(new SmtpdInput.CommandLine(line, !cr, badUtf8));
    }

    // ---- DATA mode

    private void decodeData(ChannelHandlerContext ctx, ByteBuf in, List<Object> outList) {
        // Lines that are stored exactly as received (CRLF-ended, no dot to remove) are only
        // counted here and copied to the output in one piece: [run, readerIndex).
        int run = in.readerIndex();
        while (in.isReadable()) {
            int start = in.readerIndex();
            int lf = in.indexOf(start, in.writerIndex(), (byte) '\n');
            if (lf > start && in.getByte(lf - 1) == '\r' && !(atLineStart && in.getByte(start) == '.')) {
                in.readerIndex(lf + 1);
                atLineStart = true;
                prevBareLf = false;
                if (pendingOut() + (lf + 1 - run) >= CHUNK) {
                    appendOut(ctx, in, run, lf + 1 - run);
                    flushOut(outList); // one chunk per decode() call, see below
                    return;
                }
                continue;
            }
            if (start > run) appendOut(ctx, in, run, start - run);
            run = start;
            if (lf < 0) {
                // No complete line yet. Pass on a long partial line as a continuation piece,
                // keeping a trailing CR back in case its LF is in the next packet.
                int avail = in.readableBytes();
                if (avail < lineLimit) break;
                int take = lineLimit;
                if (in.getByte(start + take - 1) == '\r') take--;
                if (take <= 0) break;
                if (atLineStart && in.getByte(start) == '.') {
                    in.skipBytes(1);
                    take--;
                }
                appendOut(ctx, in, in.readerIndex(), take);
                in.skipBytes(take);
                atLineStart = false;
                run = in.readerIndex();
                continue;
            }
            int len = lf - start;
            boolean cr = len > 0 && in.getByte(lf - 1) == '\r';
            int textLen = cr ? len - 1 : len;
            boolean bareLf = !cr;
            int from = start;
            if (atLineStart && textLen > 0 && in.getByte(start) == '.') {
                if (textLen == 1) {
                    if (requireStdEod && (bareLf || prevBareLf)) {
                        // "<LF>.<LF>", "<CR><LF>.<LF>", "<LF>.<CR><LF>": never the end; Postfix drops it.
                        bareLfSeen = true;
                        prevBareLf = bareLf;
                        in.readerIndex(lf + 1);
                        run = in.readerIndex();
                        continue;
                    }
                    in.readerIndex(lf + 1);
                    flushOut(outList);
                    mode = Mode.COMMAND;
                    outList.add(new SmtpdInput.ContentEnd(bareLfSeen));
                    return;
                }
                from++;
                textLen--;
            }
            if (bareLf) bareLfSeen = true;
            appendOut(ctx, in, from, textLen);
            out.writeByte('\r').writeByte('\n');
            in.readerIndex(lf + 1);
            atLineStart = true;
            prevBareLf = bareLf;
            run = in.readerIndex();
            if (out.readableBytes() >= CHUNK) {
                // One chunk per decode() call, so a pause() the session makes on receiving it
                // takes effect before the next chunk is decoded (see class comment).
                flushOut(outList);
                return;
            }
        }
        if (in.readerIndex() > run) appendOut(ctx, in, run, in.readerIndex() - run);
        flushOut(outList);
    }

    // ---- BDAT mode

    private void decodeBdat(ChannelHandlerContext ctx, ByteBuf in, List<Object> outList) {
        int n = (int) Math.min(bdatRemaining, in.readableBytes());
        if (bdatDiscard) {
            in.skipBytes(n);
            bdatRemaining -= n;
        } else {
            int end = in.readerIndex() + n;
            int i = in.readerIndex();
            for (; i < end; i++) {
                byte b = in.getByte(i);
                ensureOut(ctx, 2);
                if (b == '\n') {
                    if (!bdatPendingCr) {
                        bareLfSeen = true;
                        out.writeByte('\r');
                    }
                    out.writeByte('\n');
                    bdatEndsInLf = true;
                } else {
                    out.writeByte(b);
                    bdatEndsInLf = false;
                }
                bdatPendingCr = b == '\r';
                bdatWroteAny = true;
                if (out.readableBytes() >= CHUNK) {
                    i++;
                    break; // one chunk per decode() call, as in DATA mode
                }
            }
            bdatRemaining -= i - in.readerIndex();
            in.readerIndex(i);
        }
        if (bdatRemaining == 0) {
            if (bdatLast && !bdatDiscard && bdatWroteAny && !bdatEndsInLf) {
                // Postfix stores the last partial line as a complete record.
                ensureOut(ctx, 2);
                out.writeByte('\r').writeByte('\n');
            }
            flushOut(outList);
            mode = Mode.COMMAND;
            outList.add(new SmtpdInput.ContentEnd(bareLfSeen));
        } else {
            flushOut(outList);
        }
    }

    // ---- output buffer

    private void ensureOut(ChannelHandlerContext ctx, int extra) {
        if (out == null) out = ctx.alloc().buffer(Math.max(CHUNK, extra) + 2);
    }

    private void appendOut(ChannelHandlerContext ctx, ByteBuf in, int from, int len) {
        ensureOut(ctx, len + 2);
        out.writeBytes(in, from, len);
    }

    private int pendingOut() {
        return out == null ? 0 : out.readableBytes();
    }

    private void flushOut(List<Object> outList) {
        if (out != null && out.isReadable()) {
            outList.add(new SmtpdInput.Content(out));
            out = null;
        }
    }
}
