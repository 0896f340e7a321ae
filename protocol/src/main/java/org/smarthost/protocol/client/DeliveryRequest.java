package org.smarthost.protocol.client;

import java.util.List;

/**
 * One delivery: a message to a set of recipients at one nexthop.
 *
 * @param nexthop          Postfix nexthop syntax, see {@link NexthopParser}
 * @param sender           envelope sender, "" for the null sender
 * @param ret              DSN RET= ("FULL"/"HDRS") or null
 * @param envid            DSN ENVID= (decoded) or null
 * @param size             message size in bytes for SIZE=, or -1 when unknown
 * @param bodyType         "7BIT", "8BITMIME" or null
 * @param smtputf8         the message needs SMTPUTF8
 * @param moreMailPending  the queue manager has deliveries to this destination back to back
 *                         (Postfix's DEL_REQ_FLAG_CONN_STORE), so with
 *                         {@code smtp_connection_cache_on_demand} the session is cached
 * @param plaintextFallback the message waited at least minimal_backoff_time before this attempt
 *                         (Postfix's PREACTIVE_DELAY test): when optional TLS fails its handshake,
 *                         the same server is tried again at once without TLS
 */
public record DeliveryRequest(String nexthop, String sender, List<Recipient> recipients,
                              String ret, String envid, long size, String bodyType, boolean smtputf8,
                              BodySource body, boolean moreMailPending, boolean plaintextFallback) {

    public DeliveryRequest {
        recipients = List.copyOf(recipients);
        if (recipients.isEmpty()) throw new IllegalArgumentException("no recipients");
        if (sender == null) sender = "";
    }

    /** A delivery without the plaintext fallback (a new message's first attempt). */
    public DeliveryRequest(String nexthop, String sender, List<Recipient> recipients, String ret, String envid,
                           long size, String bodyType, boolean smtputf8, BodySource body, boolean moreMailPending) {
        this(nexthop, sender, recipients, ret, envid, size, bodyType, smtputf8, body, moreMailPending, false);
    }
}
