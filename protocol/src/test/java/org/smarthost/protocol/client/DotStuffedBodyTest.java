package org.smarthost.protocol.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DotStuffedBodyTest {

    private static String stuff(InputStream in) throws Exception {
        DotStuffedBody body = new DotStuffedBody(in, () -> { });
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (!body.isEndOfInput()) {
            ByteBuf chunk = body.readChunk(UnpooledByteBufAllocator.DEFAULT);
            byte[] bytes = new byte[chunk.readableBytes()];
            chunk.readBytes(bytes);
            chunk.release();
            out.write(bytes);
        }
        assertNull(body.readChunk(UnpooledByteBufAllocator.DEFAULT));
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    private static String stuff(String text) throws Exception {
        return stuff(new ByteArrayInputStream(text.getBytes(StandardCharsets.ISO_8859_1)));
    }

    @Test
    void stuffsDotsAndNormalisesLineEnds() throws Exception {
        assertEquals(".\r\n", stuff(""));
        assertEquals("a\r\n.\r\n", stuff("a"));
        assertEquals("a\r\n.\r\n", stuff("a\n"));
        assertEquals("a\r\n.\r\n", stuff("a\r\n"));
        assertEquals("..\r\n.\r\n", stuff("."));
        assertEquals("x\r\n..y\r\n...\r\n a.b\r\n.\r\n", stuff("x\n.y\r\n..\n a.b"));
        assertEquals("caf\u00e9\r\n.\r\n", stuff("caf\u00e9\n"), "8-bit bytes pass through");
        assertEquals("a\rb\r\n.\r\n", stuff("a\rb"), "a bare CR is not a line end");
    }

    @Test
    void lineStateCarriesAcrossChunks() throws Exception {
        // One byte per read() call: every line end and dot lands on a chunk boundary.
        byte[] data = "a\r\n.b\n.".getBytes(StandardCharsets.US_ASCII);
        InputStream trickle = new InputStream() {
            int pos;

            @Override public int read() {
                return pos < data.length ? data[pos++] : -1;
            }

            @Override public int read(byte[] b, int off, int len) {
                if (pos >= data.length) return -1;
                b[off] = data[pos++];
                return 1;
            }
        };
        assertEquals("a\r\n..b\r\n..\r\n.\r\n", stuff(trickle));
    }

    @Test
    void largeInputInBoundedChunks() throws Exception {
        byte[] big = new byte[1 << 20];
        java.util.Arrays.fill(big, (byte) 'x');
        DotStuffedBody body = new DotStuffedBody(new ByteArrayInputStream(big), () -> { });
        int chunks = 0;
        while (!body.isEndOfInput()) {
            ByteBuf chunk = body.readChunk(UnpooledByteBufAllocator.DEFAULT);
            assertTrue(chunk.readableBytes() <= DotStuffedBody.CHUNK, "chunks stay small");
            chunk.release();
            chunks++;
        }
        assertTrue(chunks >= big.length / DotStuffedBody.CHUNK);
    }

    @Test
    void terminatorJoinsTheLastPieceOfContent() throws Exception {
        // Each chunk is one send(2): a small body and its ".CRLF" are one chunk, and so is the
        // tail of a large one.
        assertEquals(List.of("Subject: x\r\n\r\nbody\r\n.\r\n"), chunks("Subject: x\n\nbody\n".getBytes(StandardCharsets.US_ASCII)));
        byte[] large = new byte[100 * 1024];
        java.util.Arrays.fill(large, (byte) 'y');
        List<String> parts = chunks(large);
        assertEquals(2, parts.size());
        assertEquals(DotStuffedBody.CHUNK, parts.get(0).length());
        assertTrue(parts.get(1).endsWith("yyy\r\n.\r\n"));
        assertEquals(large.length + 5, parts.get(0).length() + parts.get(1).length());
    }

    private static List<String> chunks(byte[] content) throws Exception {
        DotStuffedBody body = new DotStuffedBody(new ByteArrayInputStream(content), () -> { });
        List<String> out = new ArrayList<>();
        while (!body.isEndOfInput()) {
            ByteBuf chunk = body.readChunk(UnpooledByteBufAllocator.DEFAULT);
            out.add(chunk.toString(StandardCharsets.ISO_8859_1));
            chunk.release();
        }
        return out;
    }

    @Test
    void anyInputReadInAnyPiecesMatchesTheRule() throws Exception {
        java.util.Random random = new java.util.Random(42);
        byte[] alphabet = {'a', '.', '\r', '\n', '.', '\n'};
        for (int round = 0; round < 2000; round++) {
            byte[] data = new byte[random.nextInt(200)];
            for (int k = 0; k < data.length; k++) data[k] = alphabet[random.nextInt(alphabet.length)];
            int maxPiece = 1 + random.nextInt(20);
            InputStream pieces = new ByteArrayInputStream(data) {
                @Override public synchronized int read(byte[] b, int off, int len) {
                    return super.read(b, off, Math.min(len, 1 + random.nextInt(maxPiece)));
                }
            };
            String input = new String(data, StandardCharsets.ISO_8859_1);
            assertEquals(byTheRule(input), stuff(pieces), "input " + input.replace("\r", "\\r").replace("\n", "\\n"));
        }
    }

    /** RFC 5321 4.5.2 and the line-end rule, octet by octet: the specification the fast code must meet. */
    private static String byTheRule(String in) {
        StringBuilder out = new StringBuilder();
        boolean lineStart = true;
        for (int k = 0; k < in.length(); k++) {
            char c = in.charAt(k);
            if (c == '\n') {
                if (k == 0 || in.charAt(k - 1) != '\r') out.append('\r');
                out.append('\n');
                lineStart = true;
                continue;
            }
            if (lineStart && c == '.') out.append('.');
            out.append(c);
            lineStart = false;
        }
        if (!lineStart) out.append(in.endsWith("\r") ? "\n" : "\r\n");
        return out.append(".\r\n").toString();
    }
}
