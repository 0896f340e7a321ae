package org.smarthost.protocol.smtpd;

import java.util.Set;

/**
 * RCPT TO and its DSN parameters (RFC 3461).
 *
 * @param address forward path without brackets
 * @param dsnNotify NOTIFY= values ("NEVER" or any of "SUCCESS","FAILURE","DELAY"); empty when absent
 * @param orcpt   ORCPT= as given ("rfc822;user@example"), xtext-decoded, or null
 */
public record RcptTo(String address, Set<String> dsnNotify, String orcpt) {
    // "notify" would clash with Object.notify(), which a record component may not.
    public RcptTo {
        dsnNotify = Set.copyOf(dsnNotify);
    }
}
