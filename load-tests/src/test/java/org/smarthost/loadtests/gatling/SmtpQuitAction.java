package org.smarthost.loadtests.gatling;

import io.gatling.commons.util.Clock;
import io.gatling.core.action.Action;
import io.gatling.core.session.Session;
import io.gatling.core.stats.StatsEngine;
import io.netty.handler.codec.smtp.SmtpRequests;
import org.smarthost.loadtests.smtp.SmtpConnection;

/** Ends the session politely: "QUIT" (expects 221), then closes. Without a connection it does nothing. */
final class SmtpQuitAction extends SmtpAction {

    static final String QUIT = "QUIT";

    SmtpQuitAction(SmtpWorkload workload, Action next, StatsEngine stats, Clock clock) {
        super("smtpQuit", workload, next, stats, clock);
    }

    @Override
    public void execute(Session session) {
        SmtpConnection connection = connection(session);
        if (connection == null || !connection.isOpen()) {
            resume(session.remove(CONNECTION));
            return;
        }
        long start = clock.nowMillis();
        connection.command(SmtpRequests.quit()).whenComplete((reply, error) -> {
            record(session, QUIT, start, clock.nowMillis(), reply, error, 2);
            connection.close();
            Session next = session.remove(CONNECTION);
            resume(error == null && reply.code() == 221 ? next : next.markAsFailed());
        });
    }
}
