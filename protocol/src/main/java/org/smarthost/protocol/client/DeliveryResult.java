package org.smarthost.protocol.client;

import java.time.Duration;
import java.util.List;

/**
 * One delivery attempt's result.
 *
 * @param recipients       per-recipient outcomes, in request order
 * @param relay            the last server talked to (Postfix's {@code relay=}), or {@link Relay#NONE}
 * @param connectionSetup  the "c" of {@code delays=a/b/c/d}: DNS, connect, greeting, EHLO (and
 *                         later TLS), including failed attempts on other servers
 * @param transmission     the "d" of {@code delays=a/b/c/d}: the mail transaction
 * @param noThrottle       the failure must not count against the destination (optional TLS that
 *                         failed: Postfix's SMTP_MISC_FAIL_NONE), even if it looks like a site problem
 */
public record DeliveryResult(List<RecipientResult> recipients, Relay relay,
                             Duration connectionSetup, Duration transmission, boolean noThrottle) {

    public DeliveryResult {
        recipients = List.copyOf(recipients);
    }

    public DeliveryResult(List<RecipientResult> recipients, Relay relay, Duration connectionSetup, Duration transmission) {
        this(recipients, relay, connectionSetup, transmission, false);
    }

    public RecipientResult recipient(String address) {
        for (RecipientResult r : recipients) if (r.address().equals(address)) return r;
        throw new IllegalArgumentException("no such recipient: " + address);
    }
}
