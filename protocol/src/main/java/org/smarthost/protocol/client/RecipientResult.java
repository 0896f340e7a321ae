package org.smarthost.protocol.client;

/**
 * The outcome of one attempt for one recipient: everything a DeliveryAttempted event records.
 *
 * @param dsn        RFC 3463 status ("2.0.0", "4.4.1", "5.1.1")
 * @param text       Postfix's status text, the part in parentheses after {@code status=...}, e.g.
 *                   "250 2.0.0 Ok: queued as 4X" or "host mx[192.0.2.1] said: 550 5.1.1 ... (in
 *                   reply to RCPT TO command)" or "connect to mx[192.0.2.1]:25: Connection refused"
 * @param remoteReply the remote server's reply when the outcome came from one (for the RFC 3464
 *                   {@code Diagnostic-Code: smtp; ...}), or null for local errors (DNS, connect)
 * @param relay      the server that gave the outcome, {@link Relay#NONE} when none was reached
 * @param connectionUse how many mail transactions the connection to {@code relay} has carried,
 *                   this one included (Postfix logs {@code conn_use=} when that is more than one);
 *                   0 when no transaction was started
 */
public record RecipientResult(String address, Outcome outcome, String dsn, String text,
                              String remoteReply, Relay relay, int connectionUse) {

    /** An outcome that no mail transaction gave (DNS, connect, greeting, EHLO). */
    public RecipientResult(String address, Outcome outcome, String dsn, String text, String remoteReply, Relay relay) {
        this(address, outcome, dsn, text, remoteReply, relay, 0);
    }
}
