package org.smarthost.protocol.smtpd;

/**
 * What smtpd hands a mail transaction to: the cleanup/queue side. Implemented outside the
 * protocol module (streams/actors) so that smtpd never touches queue state.
 *
 * <p>smtpd calls {@link #open} at the first accepted RCPT (Postfix opens its cleanup stream
 * then, with smtpd_delay_open_until_valid_rcpt=yes), so the queue ID is known for the
 * {@code <ID>: client=...} log line.
 */
public interface MessageReceiver {

    /** Start a transaction; never blocks. */
    Transaction open(SessionInfo session, MailFrom sender);

    /**
     * Whether trivial-rewrite resolves {@code address} (internal form) without flagging bad
     * syntax: Postfix's smtpd rejects a MAIL FROM, RCPT TO or VRFY address otherwise ("user@",
     * "user@-x.example", "user@1.2.3.4", "-user@example.org" ...). Never blocks.
     */
    default boolean validAddress(String address) {
        return true;
    }
}
