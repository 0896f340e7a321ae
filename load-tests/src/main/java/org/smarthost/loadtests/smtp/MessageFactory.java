package org.smarthost.loadtests.smtp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.nio.charset.StandardCharsets;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Makes RFC 5322 test messages of a given size (to within 2 octets). The body is one shared array of 78-octet lines
 * (no line starts with ".", so no dot-stuffing is needed), so a 10 MB message costs a header,
 * not a copy; each message gets its own Message-ID.
 */
public final class MessageFactory {

    private static final int LINE = 78; // 76 characters + CRLF
    private static final AtomicLong SEQUENCE = new AtomicLong();

    private final byte[] body;
    private final String hostname;

    /** @param maxSize the largest message {@link #message} will be asked for, in octets */
    public MessageFactory(int maxSize, String hostname) {
        this.hostname = hostname;
        this.body = new byte[Math.max(LINE, maxSize)];
        Arrays.fill(body, (byte) 'x');
        for (int i = LINE - 2; i + 1 < body.length; i += LINE) {
            body[i] = '\r';
            body[i + 1] = '\n';
        }
    }

    /**
     * A message of {@code size} octets (at least the header's size) as sent between 354 and the
     * final ".", ending with CRLF.
     */
    public ByteBuf message(int size, Envelope envelope) {
        long n = SEQUENCE.incrementAndGet();
        String header = "From: <" + envelope.sender() + ">\r\n"
                + "To: <" + envelope.recipients().get(0) + ">\r\n"
                + "Subject: load test message " + n + "\r\n"
                + "Date: " + DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now()) + "\r\n"
                + "Message-ID: <" + System.nanoTime() + "." + n + "@" + hostname + ">\r\n"
                + "\r\n";
        byte[] head = header.getBytes(StandardCharsets.US_ASCII);
        int bodyLength = Math.min(body.length, Math.max(0, size - head.length));
        // Cut at a line end so the body ends with CRLF, as the encoder expects before ".".
        bodyLength = bodyLength - bodyLength % LINE;
        if (bodyLength == 0) {
            return Unpooled.wrappedBuffer(head, "\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        int rest = size - head.length - bodyLength;
        if (rest >= 3 && rest <= LINE) {
            // Top up with a short last line so the size is exact.
            byte[] tail = new byte[rest];
            Arrays.fill(tail, (byte) 'y');
            tail[rest - 2] = '\r';
            tail[rest - 1] = '\n';
            return Unpooled.wrappedBuffer(Unpooled.wrappedBuffer(head),
                    Unpooled.wrappedBuffer(body, 0, bodyLength), Unpooled.wrappedBuffer(tail));
        }
        return Unpooled.wrappedBuffer(Unpooled.wrappedBuffer(head), Unpooled.wrappedBuffer(body, 0, bodyLength));
    }
}
