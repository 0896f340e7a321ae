package org.smarthost.loadtests.gatling;

import io.gatling.commons.util.Clock;
import io.gatling.core.action.Action;
import io.gatling.core.session.Session;
import io.gatling.core.stats.StatsEngine;
import io.netty.handler.codec.smtp.SmtpRequests;
import org.smarthost.loadtests.smtp.SmtpClient;
import org.smarthost.loadtests.smtp.SmtpConnection;

/**
 * Opens a session: "connect" (TCP connect up to the 220 greeting), then "EHLO". On success the
 * connection is stored in the session; on failure the session is marked failed.
 */
final class SmtpConnectAction extends SmtpAction {

    static final String CONNECT = "connect";
    static final String EHLO = "EHLO";

    private final SmtpClient client;

    SmtpConnectAction(SmtpClient client, SmtpWorkload workload, Action next, StatsEngine stats, Clock clock) {
        super("smtpConnect", workload, next, stats, clock);
        this.client = client;
    }

    @Override
    public void execute(Session session) {
        long start = clock.nowMillis();
        client.connect(workload.address(), session.eventLoop()).whenComplete((connection, error) -> {
            long connected = clock.nowMillis();
            if (error != null) {
                recordFailure(session, CONNECT, describe(error), start, connected);
                resume(session.markAsFailed());
                return;
            }
            recordOk(session, CONNECT, start, connected);
            ehlo(session, connection);
        });
    }

    private void ehlo(Session session, SmtpConnection connection) {
        long start = clock.nowMillis();
        connection.command(SmtpRequests.ehlo(workload.helo())).whenComplete((reply, error) -> {
            record(session, EHLO, start, clock.nowMillis(), reply, error, 2);
            if (error == null && reply.isPositiveCompletion()) {
                resume(session.set(CONNECTION, connection));
            } else {
                connection.close();
                resume(session.markAsFailed());
            }
        });
    }
}
