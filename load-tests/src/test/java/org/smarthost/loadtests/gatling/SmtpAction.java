package org.smarthost.loadtests.gatling;

import com.typesafe.scalalogging.Logger;
import io.gatling.commons.stats.KO$;
import io.gatling.commons.stats.OK$;
import io.gatling.commons.util.Clock;
import io.gatling.core.action.Action;
import io.gatling.core.session.Session;
import io.gatling.core.stats.StatsEngine;
import org.smarthost.loadtests.smtp.SmtpConnection;
import org.smarthost.loadtests.smtp.SmtpReply;
import org.smarthost.loadtests.smtp.SmtpReplyException;
import scala.Option;

import java.util.concurrent.CompletionException;

/**
 * Base of the SMTP actions: Gatling's {@link Action} implemented from Java. The Scala trait
 * compiles to an interface; only {@code StrictLogging}'s logger accessor pair must be written out.
 * Subclasses run asynchronously on the virtual user's event loop, record each round trip with
 * {@link #record}, then hand the session on with {@link #resume}. Requests are recorded under the
 * workload's {@link SmtpWorkload#requestName request name}.
 */
abstract class SmtpAction implements Action {

    /** Session attribute holding the open {@link SmtpConnection}. */
    static final String CONNECTION = "smarthost.smtp.connection";

    private static final Logger LOGGER = Logger.apply(SmtpAction.class);

    private final String name;
    protected final SmtpWorkload workload;
    private final Action next;
    private final StatsEngine stats;
    protected final Clock clock;

    SmtpAction(String name, SmtpWorkload workload, Action next, StatsEngine stats, Clock clock) {
        this.name = name;
        this.workload = workload;
        this.next = next;
        this.stats = stats;
        this.clock = clock;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Logger logger() {
        return LOGGER;
    }

    @Override
    public void com$typesafe$scalalogging$StrictLogging$_setter_$logger_$eq(Logger logger) {
        // the logger is a constant; nothing to initialise
    }

    /** Logs one request: OK when there is a reply of the expected class, KO otherwise. */
    protected final void record(Session session, String request, long start, long end,
                                SmtpReply reply, Throwable error, int expectedClass) {
        record(session, request, start, end, reply, error,
                error == null && reply != null && reply.code() / 100 == expectedClass);
    }

    /**
     * Logs one request whose success the caller decided (a reply with one exact code, e.g. 220 to
     * STARTTLS and a completed handshake). A KO carries the reply, or the error when there is none.
     */
    protected final void record(Session session, String request, long start, long end,
                                SmtpReply reply, Throwable error, boolean ok) {
        if (!workload.records(request, ok)) {
            return;
        }
        String code = reply != null ? Integer.toString(reply.code()) : null;
        String message = ok ? null : error != null ? describe(error) : reply != null ? reply.toString() : "no reply";
        stats.logResponse(session.scenario(), session.groups(), workload.requestName(request), start, end,
                ok ? OK$.MODULE$ : KO$.MODULE$, Option.apply(code), Option.apply(message));
    }

    /** Logs a successful request that has no reply of its own (the TCP connect). */
    protected final void recordOk(Session session, String request, long start, long end) {
        if (!workload.records(request, true)) {
            return;
        }
        stats.logResponse(session.scenario(), session.groups(), workload.requestName(request), start, end,
                OK$.MODULE$, Option.empty(), Option.empty());
    }

    /** Logs a failed request: a transport error, or a request that never reached the wire. */
    protected final void recordFailure(Session session, String request, String message, long start, long end) {
        stats.logResponse(session.scenario(), session.groups(), workload.requestName(request), start, end,
                KO$.MODULE$, Option.empty(), Option.apply(message));
    }

    /** Continues the scenario on the session's own event loop, as Gatling expects. */
    protected final void resume(Session session) {
        if (session.eventLoop().inEventLoop()) {
            next.$bang(session);
        } else {
            session.eventLoop().execute(() -> next.$bang(session));
        }
    }

    protected static SmtpConnection connection(Session session) {
        Option<Object> value = session.attributes().get(CONNECTION);
        return value.isDefined() ? (SmtpConnection) value.get() : null;
    }

    static String describe(Throwable error) {
        Throwable cause = error;
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof SmtpReplyException e) {
            return e.getMessage();
        }
        String text = cause.getMessage();
        return cause.getClass().getSimpleName() + (text == null ? "" : ": " + text);
    }
}
