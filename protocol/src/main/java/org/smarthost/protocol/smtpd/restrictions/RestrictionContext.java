package org.smarthost.protocol.smtpd.restrictions;

import org.smarthost.config.tables.LookupException;

import java.net.InetAddress;
import org.smarthost.protocol.smtpd.SmtpReply;

/**
 * What a restriction may look at. {@code replyName}/{@code replyClass} are Postfix's
 * reply_name/reply_class for the list being evaluated (e.g. the recipient and
 * "Recipient address"), used in generic replies such as "... rejected: Access denied".
 *
 * @param sender    MAIL FROM address ("" for the null sender), or null before MAIL
 * @param recipient RCPT TO address, or null outside RCPT
 * @param recipientCount recipients already accepted in this transaction
 * @param whatsup   writes smtpd's "QUEUEID: action: COMMAND from client: text; from=<..> ..."
 *                  log lines (access(5) WARN and INFO)
 * @param evaluation the engine's state for the check in progress (set by the engine)
 */
public record RestrictionContext(InetAddress clientAddress, String clientName, String heloName,
                                 String sender, String recipient, String saslUsername,
                                 boolean improperPipelining, String replyName, String replyClass,
                                 SmtpdTables tables, int recipientCount, Whatsup whatsup,
                                 RestrictionEngine.Evaluation evaluation) {

    /** smtpd's log line for an action that does not decide: "warn", "info", ... */
    @FunctionalInterface
    public interface Whatsup {
        void log(String action, String text);

        Whatsup NONE = (action, text) -> { };
    }

    public RestrictionContext(InetAddress clientAddress, String clientName, String heloName,
                              String sender, String recipient, String saslUsername,
                              boolean improperPipelining, String replyName, String replyClass,
                              SmtpdTables tables, int recipientCount, Whatsup whatsup) {
        this(clientAddress, clientName, heloName, sender, recipient, saslUsername, improperPipelining, replyName,
                replyClass, tables, recipientCount, whatsup, null);
    }

    public String namaddr() {
        return clientName + "[" + clientAddress.getHostAddress() + "]";
    }

    public RestrictionContext forList(String replyName, String replyClass) {
        return new RestrictionContext(clientAddress, clientName, heloName, sender, recipient, saslUsername,
                improperPipelining, replyName, replyClass, tables, recipientCount, whatsup, evaluation);
    }

    RestrictionContext withEvaluation(RestrictionEngine.Evaluation e) {
        return new RestrictionContext(clientAddress, clientName, heloName, sender, recipient, saslUsername,
                improperPipelining, replyName, replyClass, tables, recipientCount, whatsup, e);
    }

    /** Postfix's reply_class for smtpd_data_restrictions (DATA or BDAT). */
    static final String DATA_CLASS = "Data command";

    /** The list being evaluated is smtpd_data_restrictions (DATA or BDAT), Postfix's state->where. */
    public boolean dataStage() {
        return DATA_CLASS.equals(replyClass);
    }

    /**
     * Postfix's smtpd_check_reject: the enhanced code's class follows the reply code, so a
     * 454 from defer_unauth_destination carries 4.7.1 and a configured 450 for reject carries 4.x.x.
     */
    /**
     * Postfix's reject_dict_retry: a table the check needs cannot answer now, so the client is
     * asked to try again rather than be judged without it.
     */
    public Verdict lookupRetry(LookupException e) {
        tables.log().warn("warning: {}", e.getMessage());
        return reject(451, "4.3.0", "<" + replyName + ">: Temporary lookup failure");
    }

    public Verdict reject(int code, String dsn, String text) {
        if (code < 400 || code > 599) {
            return new Verdict.Reject(SmtpReply.of(450, "4.7.1", "Service unavailable"));
        }
        String enhanced = (char) ('0' + code / 100) + dsn.substring(1);
        return new Verdict.Reject(SmtpReply.of(code, enhanced, text));
    }
}
