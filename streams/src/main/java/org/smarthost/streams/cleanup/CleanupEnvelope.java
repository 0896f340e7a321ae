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
 * @param protocol          "ESMTP", "SMTP", "ESMTPA" ... for "with"
 * @param addMissingHeaders add Message-Id:/Date:/From: when missing (always_add_missing_headers,
 *                          or the client matched local_header_rewrite_clients)
 */
public record CleanupEnvelope(String queueId, Instant arrival, String sender, List<String> recipients,
                              String heloName, String clientName, String clientAddress, String protocol,
                              boolean addMissingHeaders) {
    public CleanupEnvelope {
        recipients = List.copyOf(recipients);
    }
}
