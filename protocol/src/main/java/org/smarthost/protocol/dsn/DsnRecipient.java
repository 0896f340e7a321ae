package org.smarthost.protocol.dsn;

/**
 * One recipient in a delivery status notification.
 *
 * @param address        final recipient (Final-Recipient)
 * @param originalAddress recipient before rewriting/alias expansion, or null; shown as
 *                       "(expanded from <...>)" and used for Original-Recipient without ORCPT
 * @param orcpt          RFC 3461 ORCPT as "type;address" (decoded), or null
 * @param action         RFC 3464 action: failed, delayed, delivered, relayed, expanded
 *                       (failure notices always say "failed")
 * @param status         RFC 3463 status, e.g. "5.1.1"
 * @param reason         Postfix's text, e.g. "host mx[192.0.2.1] said: 550 5.1.1 ... (in reply to
 *                       RCPT TO command)"; printed after "<address>: " in the first part
 * @param remoteMta      name of the remote MTA (Remote-MTA: dns; name), or null
 * @param diagnosticType "smtp" when {@code diagnosticText} is a server reply, or null
 * @param diagnosticText the reply (Diagnostic-Code: smtp; 550 5.1.1 ...), or null; without
 *                       it the code is "X-Postfix; reason"
 */
public record DsnRecipient(String address, String originalAddress, String orcpt, String action, String status,
                           String reason, String remoteMta, String diagnosticType, String diagnosticText) {

    /** A recipient whose reason came from a remote SMTP/LMTP server. */
    public static DsnRecipient remote(String address, String orcpt, String action, String status, String reason,
                                      String remoteMta, String reply) {
        return new DsnRecipient(address, null, orcpt, action, status, reason, remoteMta, "smtp", reply);
    }

    /** A recipient whose reason is local (DNS, connect, error transport, expiry). */
    public static DsnRecipient local(String address, String orcpt, String action, String status, String reason) {
        return new DsnRecipient(address, null, orcpt, action, status, reason, null, null, null);
    }
}
