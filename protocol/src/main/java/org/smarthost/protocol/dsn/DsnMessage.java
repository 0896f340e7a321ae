package org.smarthost.protocol.dsn;

import java.time.Instant;

/**
 * The message a notification is about.
 *
 * @param queueId     its queue ID (X-Postfix-Queue-ID, MIME boundary)
 * @param sender      envelope sender, the notice's recipient; "" for the null sender
 * @param arrival     arrival time (Arrival-Date), or null
 * @param envid       RFC 3461 ENVID (Original-Envelope-Id), or null
 * @param ret         RFC 3461 RET: "FULL", "HDRS" or null (failure notices then return the full message)
 * @param eightBit    content is 8-bit (BODY=8BITMIME or 8-bit found by cleanup)
 * @param smtputf8    SMTPUTF8 was requested: RFC 6533 message/global* types
 * @param messageId   the original's Message-ID header value (with brackets), or null
 * @param size        content size in bytes, for bounce_size_limit; 0 when unknown
 */
public record DsnMessage(String queueId, String sender, Instant arrival, String envid, String ret,
                         boolean eightBit, boolean smtputf8, String messageId, long size) {
}
