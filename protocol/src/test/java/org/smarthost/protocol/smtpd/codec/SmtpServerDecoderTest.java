package org.smarthost.protocol.smtpd.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * DATA content decoding against its rule, written out octet by octet below: whatever the
 * content and however the network cuts it into packets, the decoder stores the same bytes and
 * ends at the same "." line. (SmtpdDataTest covers the same ground through a real socket with
 * hand-picked cases; this one throws many random ones at the decoder alone.)
 */
class SmtpServerDecoderTest {

    private static final byte[] ALPHABET = {'a', 'b', '.', '.', '\r', '\n', '\n'};

    @Test
    void randomContentInRandomPacketsMatchesTheRule() {
        Random random = new Random(7);
        for (int round = 0; round < 3000; round++) {
            boolean strict = random.nextBoolean();
            int lineLimit = random.nextBoolean() ? 2048 : 3 + random.nextInt(12); // a "." line always fits
            byte[] content = new byte[random.nextInt(300)];
            for (int k = 0; k < content.length; k++) content[k] = ALPHABET[random.nextInt(ALPHABET.length)];
            byte[] input = concat(content, "\r\n.\r\n".getBytes(StandardCharsets.US_ASCII));
            String expected = byTheRule(input, strict);
            String actual = decode(input, strict, lineLimit, random);
            assertEquals(expected, actual, () -> "strict=" + strict + " lineLimit=" + lineLimit + " input "
                    + new String(input, StandardCharsets.ISO_8859_1).replace("\r", "\\r").replace("\n", "\\n"));
        }
    }

    @Test
    void longRunsOfPlainLinesComeOutInBoundedPieces() {
        StringBuilder body = new StringBuilder();
        while (body.length() < 300_000) body.append("an ordinary line of text, stored as it came\r\n");
        byte[] input = (body + ".\r\n").getBytes(StandardCharsets.US_ASCII);
        EmbeddedChannel channel = dataChannel(false, 2048);
        channel.writeInbound(Unpooled.wrappedBuffer(input));
        ByteArrayOutputStream stored = new ByteArrayOutputStream();
        boolean ended = false;
        for (Object o; (o = channel.readInbound()) != null; ) {
            if (o instanceof SmtpdInput.Content c) {
                assertTrue(c.content().readableBytes() <= 64 * 1024 + 2048, "piece of " + c.content().readableBytes());
                append(stored, c.content());
                c.release();
            } else if (o instanceof SmtpdInput.ContentEnd) {
                ended = true;
            }
        }
        assertTrue(ended);
        assertEquals(body.toString(), stored.toString(StandardCharsets.ISO_8859_1));
        channel.finishAndReleaseAll();
    }

    private static EmbeddedChannel dataChannel(boolean strict, int lineLimit) {
        SmtpServerDecoder decoder = new SmtpServerDecoder(lineLimit, strict);
        EmbeddedChannel channel = new EmbeddedChannel(decoder);
        decoder.startData();
        return channel;
    }

    /** The stored content up to the end of DATA (or "(no end)"), the input fed in random packets. */
    private static String decode(byte[] input, boolean strict, int lineLimit, Random random) {
        EmbeddedChannel channel = dataChannel(strict, lineLimit);
        ByteArrayOutputStream stored = new ByteArrayOutputStream();
        boolean ended = false;
        for (int pos = 0; pos < input.length && !ended; ) {
            int n = Math.min(input.length - pos, 1 + random.nextInt(40));
            channel.writeInbound(Unpooled.wrappedBuffer(input, pos, n));
            pos += n;
            for (Object o; (o = channel.readInbound()) != null; ) {
                if (ended) {
                    io.netty.util.ReferenceCountUtil.release(o);   // command mode after the end
                } else if (o instanceof SmtpdInput.Content c) {
                    append(stored, c.content());
                    c.release();
                } else if (o instanceof SmtpdInput.ContentEnd) {
                    ended = true;
                }
            }
        }
        channel.finishAndReleaseAll();
        return stored.toString(StandardCharsets.ISO_8859_1) + (ended ? "" : "(no end)");
    }

    /**
     * Lines end at LF; each is stored with CRLF; a leading "." is removed; a "." line ends DATA,
     * except, with smtpd_forbid_bare_newline, when it or the line before it ends in a bare LF:
     * then it is dropped.
     */
    private static String byTheRule(byte[] input, boolean strict) {
        String in = new String(input, StandardCharsets.ISO_8859_1);
        StringBuilder out = new StringBuilder();
        boolean prevBareLf = false;
        int start = 0;
        for (int lf; (lf = in.indexOf('\n', start)) >= 0; start = lf + 1) {
            String line = in.substring(start, lf);
            boolean bareLf = !line.endsWith("\r");
            if (!bareLf) line = line.substring(0, line.length() - 1);
            if (line.equals(".")) {
                if (!(strict && (bareLf || prevBareLf))) return out.toString();
                prevBareLf = bareLf;
                continue;
            }
            if (line.startsWith(".")) line = line.substring(1);
            out.append(line).append("\r\n");
            prevBareLf = bareLf;
        }
        return out + "(no end)";
    }

    private static void append(ByteArrayOutputStream stored, ByteBuf piece) {
        byte[] bytes = new byte[piece.readableBytes()];
        piece.getBytes(piece.readerIndex(), bytes);
        stored.writeBytes(bytes);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] r = new byte[a.length + b.length];
        System.arraycopy(a, 0, r, 0, a.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
