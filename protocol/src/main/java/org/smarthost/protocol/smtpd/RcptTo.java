package org.smarthost.protocol.smtpd;

import java.util.Set;

/**
 * RCPT TO and its DSN parameters (RFC 3461).
 *
 * @param address forward path without brackets
 * @param notify  NOTIFY= values ("NEVER" or any of "SUCCESS","FAILURE","DELAY"); empty when absent
 * @param orcpt   ORCPT= as given ("rfc822;user@example"), xtext-decoded, or null
 */
public record RcptTo(String address, Set<String> notify, String orcpt) {
    public RcptTo {
        notify = Set.copyOf(notify);
    }
}
