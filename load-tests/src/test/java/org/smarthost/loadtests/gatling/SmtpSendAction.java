package org.smarthost.loadtests.gatling;

import io.gatling.commons.util.Clock;
import io.gatling.core.action.Action;
import io.gatling.core.session.Session;
import io.gatling.core.stats.StatsEngine;
import org.smarthost.loadtests.smtp.Envelope;
import org.smarthost.loadtests.smtp.MailTransaction;
import org.smarthost.loadtests.smtp.MessageFactory;
import org.smarthost.loadtests.smtp.SmtpConnection;

/**
 * One mail transaction on the session's connection. Each command is a Gatling request ("MAIL
 * FROM", "RCPT TO", "DATA", "end of data"), and "message accepted" spans MAIL FROM to the 250
 * after the final ".": the accept latency a client sees. A failed transaction closes the
 * connection and marks the session failed.
 */
final class SmtpSendAction extends SmtpAction {

    static final String ACCEPTED = "message accepted";

    private final MessageFactory messages;
    private final Envelope envelope;

    SmtpSendAction(SmtpWorkload workload, MessageFactory messages, Action next, StatsEngine stats, Clock clock) {
        super("smtpSend", workload, next, stats, clock);
        this.messages = messages;
        this.envelope = workload.envelope();
    }

    @Override
    public void execute(Session session) {
        SmtpConnection connection = connection(session);
        if (connection == null || !connection.isOpen()) {
            recordFailure(session, ACCEPTED, "no open SMTP connection (connect failed or was closed)",
                    clock.nowMillis(), clock.nowMillis());
            resume(session.remove(CONNECTION).markAsFailed());
            return;
        }
        MailTransaction transaction = new MailTransaction(connection, clock::nowMillis,
                (step, start, end, reply, error) -> record(session, step, start, end, reply, error,
                        MailTransaction.DATA.equals(step) ? 3 : 2));
        long start = clock.nowMillis();
        transaction.send(envelope, messages.message(workload.nextSize(), envelope)).whenComplete((reply, error) -> {
            long end = clock.nowMillis();
            if (error == null) {
                record(session, ACCEPTED, start, end, reply, null, 2);
                resume(session);
            } else {
                recordFailure(session, ACCEPTED, describe(error), start, end);
                connection.close();
                resume(session.remove(CONNECTION).markAsFailed());
            }
        });
    }
}
