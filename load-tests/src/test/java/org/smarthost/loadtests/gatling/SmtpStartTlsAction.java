package org.smarthost.loadtests.gatling;

import io.gatling.commons.util.Clock;
import io.gatling.core.action.Action;
import io.gatling.core.session.Session;
import io.gatling.core.stats.StatsEngine;
import io.netty.handler.codec.smtp.SmtpRequests;
import org.smarthost.loadtests.smtp.SmtpConnection;

/**
 * Puts the session's connection under TLS: "STARTTLS" spans the command, the 220 and the TLS
 * handshake (OK: 220 and a completed handshake; the server's certificate is not verified, as
 * between MTAs); then "EHLO (TLS)", the EHLO that RFC 3207 requires again after the handshake. On
 * failure the connection is closed and the session marked failed.
 */
final class SmtpStartTlsAction extends SmtpAction {

    static final String STARTTLS = "STARTTLS";
    static final String EHLO_TLS = "EHLO (TLS)";

    SmtpStartTlsAction(SmtpWorkload workload, Action next, StatsEngine stats, Clock clock) {
        super("smtpStartTls", workload, next, stats, clock);
    }

    @Override
    public void execute(Session session) {
        SmtpConnection connection = connection(session);
        long start = clock.nowMillis();
        if (connection == null || !connection.isOpen()) {
            recordFailure(session, STARTTLS, "no open SMTP connection (connect failed or was closed)", start, start);
            resume(session.remove(CONNECTION).markAsFailed());
            return;
        }
        connection.startTls().whenComplete((reply, error) -> {
            boolean ok = error == null && reply.code() == 220;
            record(session, STARTTLS, start, clock.nowMillis(), reply, error, ok);
            if (ok) {
                ehlo(session, connection);
            } else {
                fail(session, connection);
            }
        });
    }

    private void ehlo(Session session, SmtpConnection connection) {
        long start = clock.nowMillis();
        connection.command(SmtpRequests.ehlo(workload.helo())).whenComplete((reply, error) -> {
            record(session, EHLO_TLS, start, clock.nowMillis(), reply, error, 2);
            if (error == null && reply.isPositiveCompletion()) {
                resume(session);
            } else {
                fail(session, connection);
            }
        });
    }

    private void fail(Session session, SmtpConnection connection) {
        connection.close();
        resume(session.remove(CONNECTION).markAsFailed());
    }
}
