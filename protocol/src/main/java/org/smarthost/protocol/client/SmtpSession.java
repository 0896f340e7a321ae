package org.smarthost.protocol.client;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The session-level protocol on one connection: greeting, EHLO with HELO fallback (or LHLO),
 * the STARTTLS seam, RSET probes before reuse, QUIT. Mail transactions are {@link SmtpTransaction}.
 */
final class SmtpSession {

    private final SmtpConnection connection;
    private final SmtpClientSettings settings;

    SmtpSession(SmtpConnection connection, SmtpClientSettings settings) {
        this.connection = connection;
        this.settings = settings;
    }

    SmtpConnection connection() { return connection; }

    Relay relay() { return connection.relay(); }

    /**
     * Greeting and handshake: EHLO, STARTTLS and EHLO again when TLS starts, then AUTH when the
     * server offers it and there is a login for it ({@code sender} and {@code dest}, the nexthop
     * as written, are password lookup keys). Fails with a {@link SessionFailure} worded as Postfix's.
     */
    CompletableFuture<Void> open(StartTlsHook tls, ClientSasl sasl, String sender, String dest) {
        return await(settings.heloTimeout(), "receiving the initial server greeting").thenCompose(greeting -> {
            if (greeting.code() / 100 != 2) {
                String dsn = greeting.dsn();
                // smtp_skip_5xx_greeting: a 5xx greeting means "try another server", not "bounce".
                if (greeting.isPermanent() && settings.skip5xxGreeting()) dsn = "4" + dsn.substring(1);
                throw new SessionFailure(dsn, PostfixText.refusedToTalk(relay(), greeting), greeting.text());
            }
            return hello();
        }).thenCompose(ignored -> tls.negotiate(connection, connection.features()))
          .thenCompose(started -> started ? hello() : CompletableFuture.completedFuture(null))
          .thenCompose(ignored -> sasl.login(this, settings, sender, dest));
    }

    private CompletableFuture<Void> hello() {
        String helo = settings.heloName();
        if (settings.lmtp()) {
            return command("LHLO " + helo, settings.heloTimeout(), "performing the LHLO handshake").thenAccept(reply -> {
                if (reply.code() / 100 != 2) throw failure(reply, "LHLO command");
                connection.features(EsmtpFeatures.parse(reply));
            });
        }
        if (settings.neverSendEhlo()) return sendHelo();
        return command("EHLO " + helo, settings.heloTimeout(), "performing the EHLO handshake").thenCompose(reply -> {
            if (reply.code() / 100 == 2) {
                connection.features(EsmtpFeatures.parse(reply));
                return CompletableFuture.completedFuture(null);
            }
            if (reply.code() == 421) throw failure(reply, "EHLO command");
            return sendHelo();
        });
    }

    private CompletableFuture<Void> sendHelo() {
        return command("HELO " + settings.heloName(), settings.heloTimeout(), "performing the HELO handshake")
                .thenAccept(reply -> {
                    if (reply.code() / 100 != 2) throw failure(reply, "HELO command");
                    connection.features(EsmtpFeatures.NONE);
                });
    }

    /** RSET before reusing a cached session: true when the server is still there and willing. */
    CompletableFuture<Boolean> reset() {
        if (!connection.isOpen()) return CompletableFuture.completedFuture(false);
        connection.send("RSET");
        return resetReply();
    }

    /**
     * The reply to an RSET probe already sent, on its own or at the head of a pipelined group:
     * true when the server is still there and willing.
     */
    CompletableFuture<Boolean> resetReply() {
        return connection.read(settings.rsetTimeout()).handle((reply, error) -> error == null && reply.code() / 100 == 2);
    }

    /** QUIT and close, without making anyone wait for it. */
    void quit() {
        if (!connection.isOpen()) {
            connection.close();
            return;
        }
        connection.command("QUIT", settings.quitTimeout()).whenComplete((r, e) -> connection.close());
    }

    SessionFailure failure(ServerReply reply, String inReplyTo) {
        return new SessionFailure(reply.dsn(), PostfixText.said(relay(), reply, inReplyTo), reply.text());
    }

    CompletableFuture<ServerReply> command(String line, Duration timeout, String stage) {
        connection.send(line);
        return await(timeout, stage);
    }

    /** The next reply, with I/O failures turned into Postfix's "timed out"/"lost connection" texts. */
    CompletableFuture<ServerReply> await(Duration timeout, String stage) {
        return connection.read(timeout).handle((reply, error) -> {
            if (error == null) return reply;
            throw ioFailure(error, stage);
        });
    }

    SessionFailure ioFailure(Throwable error, String stage) {
        Throwable cause = unwrap(error);
        if (cause instanceof SessionFailure failure) return failure;
        boolean timeout = cause instanceof SmtpConnection.IoFailure io && io.timeout;
        return new SessionFailure("4.4.2", timeout
                ? PostfixText.timedOut(relay(), stage)
                : PostfixText.lostConnection(relay(), stage), null);
    }

    static Throwable unwrap(Throwable error) {
        Throwable t = error;
        while (t instanceof CompletionException && t.getCause() != null) t = t.getCause();
        return t;
    }
}
