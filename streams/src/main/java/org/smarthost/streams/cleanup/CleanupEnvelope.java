package org.smarthost.streams.cleanup;

import java.time.Instant;
import java.util.List;

/**
 * What cleanup knows about the message besides its content.
 *
 * @param queueId           the queue ID
 * @param arrival           arrival time (Received: and Date: time stamp)
 * @param sender            envelope sender, "" for the null sender
 * @param recipients        envelope recipients
 * @param heloName          HELO/EHLO name or null
 * @param clientName        verified client name or "unknown"
 * @param clientAddress     client IP address (IPv6 without the "IPv6:" prefix)
 * @param protocol          "ESMTP", "SMTP", "ESMTPSA" ... for "with"
 * @param addMissingHeaders add Message-Id:/Date:/From: when missing (always_add_missing_headers,
 *                          or the client matched local_header_rewrite_clients)
 * @param receivedComments  smtpd's comment lines for Received: (TLS, authenticated sender)
 */
public record CleanupEnvelope(String queueId, Instant arrival, String sender, List<String> recipients,
                              String heloName, String clientName, String clientAddress, String protocol,
                              boolean addMissingHeaders, List<String> receivedComments) {
    public CleanupEnvelope {
        recipients = List.copyOf(recipients);
        receivedComments = List.copyOf(receivedComments);
    }

    /** Without Received: comments (no TLS, no AUTH). */
    public CleanupEnvelope(String queueId, Instant arrival, String sender, List<String> recipients, String heloName,
                           String clientName, String clientAddress, String protocol, boolean addMissingHeaders) {
        this(queueId, arrival, sender, recipients, heloName, clientName, clientAddress, protocol, addMissingHeaders,
                List.of());
    }
}
