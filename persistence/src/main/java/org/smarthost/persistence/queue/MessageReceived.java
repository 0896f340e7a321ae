package org.smarthost.persistence.queue;

import java.time.Instant;
import java.util.List;

/**
 * The message is on disk and accepted: the first event of every message. Written after the
 * body, in the same synced write batch, before smtpd answers 250.
 *
 * @param at            arrival time (Postfix message_arrival_time)
 * @param sender        envelope sender, "" for the null sender
 * @param ret           DSN RET= ("FULL"/"HDRS") or null
 * @param envid         DSN ENVID= or null
 * @param size          message content size in bytes as queued (after cleanup)
 * @param clientName    client hostname as smtpd logs it ("unknown" when not resolved)
 * @param clientAddress client IP address as a string
 * @param clientPort    client TCP port, or 0
 * @param heloName      HELO/EHLO argument or null
 * @param protocol      "SMTP", "ESMTP", "ESMTPA" ... as in Received:
 * @param saslUsername  authenticated user or null
 * @param bodyKey       key of the content in the body store
 * @param smtputf8      SMTPUTF8 requested
 * @param bodyType      BODY= value ("7BIT", "8BITMIME", "BINARYMIME") or null
 * @param messageId     Message-ID header value (with angle brackets) or null
 * @param service       master.cf service the message arrived on, or null
 * @param serverAddress IP address of the local end of the client's connection (Postfix's
 *                      server_address), or null (mail not received over the network, or
 *                      recorded before this field existed)
 * @param serverPort    TCP port of that end (server_port), or 0
 * @param rewriteContext "local" when the client matched local_header_rewrite_clients, else
 *                      "remote" (Postfix's rewrite_context); null if recorded before this field
 */
public record MessageReceived(String queueId, Instant at, String sender, List<EnvelopeRecipient> recipients,
                              String ret, String envid, long size, String clientName, String clientAddress,
                              int clientPort, String heloName, String protocol, String saslUsername,
                              String bodyKey, boolean smtputf8, String bodyType, String messageId,
                              String service, String serverAddress, int serverPort,
                              String rewriteContext) implements QueueEvent {
    public MessageReceived {
        recipients = List.copyOf(recipients);
    }
}
