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
            assertTrue(chunk.readableBytes() <= 64 * 1024, "chunks stay small");
            chunk.release();
            chunks++;
        }
        assertTrue(chunks > 16);
    }
}
