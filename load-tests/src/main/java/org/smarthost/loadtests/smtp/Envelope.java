package org.smarthost.loadtests.smtp;

import java.util.List;

/** MAIL FROM and RCPT TO addresses of one transaction, without angle brackets. */
public record Envelope(String sender, List<String> recipients) {

    public Envelope {
        recipients = List.copyOf(recipients);
        if (recipients.isEmpty()) {
            throw new IllegalArgumentException("an envelope needs at least one recipient");
        }
    }
}
