package org.smarthost.protocol.client;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.smarthost.protocol.tls.TlsSummary;

/**
 * STARTTLS for the SMTP/LMTP client at Postfix's "may" and "encrypt" security levels
 * (smtp_tls_security_level): neither verifies the server's certificate, so none is checked here
 * either, and a session is logged as "Untrusted", as Postfix logs it without a matching CA.
 *
 * <ul>
 * <li>may: STARTTLS when the server offers it; a refusal (not 220) continues in plaintext.</li>
 * <li>encrypt: "TLS is required, but was not offered by host ..." (4.7.4) or "... refused to
 *     start TLS: reply" end the session, as in Postfix's smtp_proto.c.</li>
 * <li>either: a failed handshake is "Cannot start TLS: handshake failure" (4.7.5). At "may" that
 *     does not throttle the destination, and a message that has already waited
 *     minimal_backoff_time tries the same server again at once in plaintext (Postfix's
 *     RETRY_AS_PLAINTEXT; see {@link DeliveryRequest#plaintextFallback()}).</li>
 * </ul>
 */
public final class ClientStartTls implements StartTlsHook {

    private final boolean required;
    private final SslContext context;
    private final Duration timeout;
    private final int loglevel;
    private final Logger log;

    /**
     * @param required  "encrypt" rather than "may"
     * @param timeout   smtp_starttls_timeout: the STARTTLS reply and the handshake, each
     * @param loglevel  smtp_tls_loglevel
     */
    public ClientStartTls(boolean required, SslContext context, Duration timeout, int loglevel, Logger log) {
        this.required = required;
        this.context = Objects.requireNonNull(context, "context");
        this.timeout = timeout;
        this.loglevel = loglevel;
        this.log = log;
    }

    @Override
    public CompletableFuture<Boolean> negotiate(SmtpConnection connection, EsmtpFeatures features) {
        Relay relay = connection.relay();
        if (!features.startTls()) {
            if (!required) return CompletableFuture.completedFuture(false);
            return CompletableFuture.failedFuture(new SessionFailure("4.7.4",
                    "TLS is required, but was not offered by host " + relay.hostAddress(), null));
        }
        if (loglevel >= 2) log.info("Host offered STARTTLS: [{}]", relay.hostname());
        // Completed on the event loop as the 220 is read, so the SslHandler is in place before
        // the next read: the server's first TLS record can only follow our ClientHello anyway.
        return connection.command("STARTTLS", timeout).thenCompose(reply -> {
            if (reply.code() != 220) {
                if (!required) return CompletableFuture.completedFuture(false);
                throw new SessionFailure(reply.dsn(), "TLS is required, but host " + relay.hostAddress()
                        + " refused to start TLS: " + reply.text(), reply.text());
            }
            return handshake(connection);
        });
    }

    private CompletableFuture<Boolean> handshake(SmtpConnection connection) {
        SslHandler handler = context.newHandler(connection.channel().alloc());
        handler.setHandshakeTimeoutMillis(timeout.toMillis());
        connection.channel().pipeline().addFirst("tls", handler);
        CompletableFuture<Boolean> done = new CompletableFuture<>();
        handler.handshakeFuture().addListener(f -> {
            if (f.isSuccess()) {
                if (loglevel >= 1) {
                    log.info("Untrusted TLS connection established to {}: {}", connection.relay(),
                            TlsSummary.of(handler.engine().getSession()).describe());
                }
                done.complete(true);
            } else {
                log.info("SSL_connect error to {}: -1", connection.relay());
                log.warn("warning: TLS library problem: {}", f.cause().getMessage());
                connection.close();
                done.completeExceptionally(new SessionFailure("4.7.5", "Cannot start TLS: handshake failure", null,
                        !required));
            }
        });
        return done;
    }
}
