package org.smarthost.protocol.client;

import java.util.Set;

/**
 * One envelope recipient with its DSN parameters (RFC 3461).
 *
 * @param dsnNotify NOTIFY= keywords ("NEVER" or some of "SUCCESS", "FAILURE", "DELAY"); empty when absent
 * @param orcpt  ORCPT= as "addr-type;address" in decoded form ("rfc822;user@example.com"), or null
 */
public record Recipient(String address, Set<String> dsnNotify, String orcpt) {
    public Recipient {
        dsnNotify = Set.copyOf(dsnNotify);
    }

    public static Recipient of(String address) {
        return new Recipient(address, Set.of(), null);
    }
}
