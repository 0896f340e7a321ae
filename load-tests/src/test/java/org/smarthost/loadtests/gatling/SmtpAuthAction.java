package org.smarthost.loadtests.gatling;

import io.gatling.commons.util.Clock;
import io.gatling.core.action.Action;
import io.gatling.core.session.Session;
import io.gatling.core.stats.StatsEngine;
import org.smarthost.loadtests.smtp.SmtpConnection;

/**
 * "AUTH": AUTH PLAIN with an initial response as the workload's user (OK: 235). On any other
 * reply the connection is closed and the session marked failed.
 */
final class SmtpAuthAction extends SmtpAction {

    static final String AUTH = "AUTH";

    SmtpAuthAction(SmtpWorkload workload, Action next, StatsEngine stats, Clock clock) {
        super("smtpAuth", workload, next, stats, clock);
    }

    @Override
    public void execute(Session session) {
        SmtpConnection connection = connection(session);
        long start = clock.nowMillis();
        if (connection == null || !connection.isOpen()) {
            recordFailure(session, AUTH, "no open SMTP connection (connect failed or was closed)", start, start);
            resume(session.remove(CONNECTION).markAsFailed());
            return;
        }
        connection.authPlain(workload.user(), workload.password()).whenComplete((reply, error) -> {
            boolean ok = error == null && reply.code() == 235;
            record(session, AUTH, start, clock.nowMillis(), reply, error, ok);
            if (ok) {
                resume(session);
            } else {
                connection.close();
                resume(session.remove(CONNECTION).markAsFailed());
            }
        });
    }
}
