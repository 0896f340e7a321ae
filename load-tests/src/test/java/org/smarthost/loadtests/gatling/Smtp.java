package org.smarthost.loadtests.gatling;

import io.gatling.core.config.GatlingConfiguration;
import io.gatling.javaapi.core.ActionBuilder;
import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.netty.util.Transports;
import org.smarthost.loadtests.smtp.MessageFactory;
import org.smarthost.loadtests.smtp.SmtpClient;

import static io.gatling.javaapi.core.CoreDsl.exec;

/**
 * The SMTP "protocol" for Gatling's Java DSL: action builders whose actions report every SMTP
 * round trip to Gatling's stats engine.
 *
 * <pre>
 * exec(Smtp.connect(workload)).repeat(n).on(exec(Smtp.send(workload))).exec(Smtp.quit(workload))
 * </pre>
 *
 * with {@code exec(Smtp.startTls(workload))} and {@code exec(Smtp.auth(workload))} after the
 * connect when the workload asks for them ({@link #session} does that).
 */
public final class Smtp {

    private Smtp() {
    }

    /** TCP connect, 220 greeting and EHLO. */
    public static ActionBuilder connect(SmtpWorkload workload) {
        return () -> (ctx, next) -> {
            GatlingConfiguration config = ctx.coreComponents().configuration();
            // Channels run on the virtual users' event loops, so they must be of Gatling's transport.
            SmtpClient client = new SmtpClient(
                    Transports.newSocketChannelFactory(config.netty().useNativeTransport(), config.netty().useIoUring()),
                    workload.replyTimeout());
            return new SmtpConnectAction(client, workload, next,
                    ctx.coreComponents().statsEngine(), ctx.coreComponents().clock());
        };
    }

    /** STARTTLS with its TLS handshake, then EHLO again over TLS. */
    public static ActionBuilder startTls(SmtpWorkload workload) {
        return () -> (ctx, next) -> new SmtpStartTlsAction(workload, next,
                ctx.coreComponents().statsEngine(), ctx.coreComponents().clock());
    }

    /** AUTH PLAIN as the workload's user. */
    public static ActionBuilder auth(SmtpWorkload workload) {
        if (!workload.authenticates()) {
            throw new IllegalArgumentException("AUTH needs a user (-Duser) and a password (-Dpassword)");
        }
        return () -> (ctx, next) -> new SmtpAuthAction(workload, next,
                ctx.coreComponents().statsEngine(), ctx.coreComponents().clock());
    }

    /** One mail transaction: MAIL FROM, RCPT TO per recipient, DATA, message. */
    public static ActionBuilder send(SmtpWorkload workload) {
        MessageFactory messages = new MessageFactory(workload.maxSize(), workload.helo());
        return () -> (ctx, next) -> new SmtpSendAction(workload, messages, next,
                ctx.coreComponents().statsEngine(), ctx.coreComponents().clock());
    }

    /** QUIT and close. */
    public static ActionBuilder quit(SmtpWorkload workload) {
        return () -> (ctx, next) -> new SmtpQuitAction(workload, next,
                ctx.coreComponents().statsEngine(), ctx.coreComponents().clock());
    }

    /**
     * A whole client session: connect, STARTTLS and EHLO again (only when the workload has
     * {@code tls}), AUTH (only when it has a {@code user}), {@code messages} transactions, quit.
     * A failed step ends the virtual user.
     */
    public static ChainBuilder session(SmtpWorkload workload, int messages) {
        ChainBuilder chain = exec(connect(workload)).exitHereIfFailed();
        if (workload.tls()) {
            chain = chain.exec(startTls(workload)).exitHereIfFailed();
        }
        if (workload.authenticates()) {
            chain = chain.exec(auth(workload)).exitHereIfFailed();
        }
        return chain
                .repeat(messages).on(exec(send(workload)).exitHereIfFailed())
                .exec(quit(workload));
    }
}
