package org.smarthost.loadtests.smtp;

import io.netty.channel.Channel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;

import javax.net.ssl.SSLException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The client side of STARTTLS (RFC 3207) after the server's 220: a client-mode {@link SslHandler}
 * at the head of the pipeline, below the SMTP codec, so every later command and reply goes
 * through TLS.
 *
 * <p>This is opportunistic TLS as an MTA does it (RFC 7435; Postfix's
 * {@code smtp_tls_security_level = may} or {@code encrypt}): the server's certificate is
 * <b>not verified</b>, neither its chain nor its name. Any certificate is trusted, so a load test
 * runs against a server with a self-signed certificate and measures the cost of encryption, not of
 * a PKI. Never reuse this for anything that needs to know whom it talks to.
 */
final class StartTls {

    /**
     * Built once: an SslContext holds the provider's state and is costly to make. Netty's default
     * provider: OpenSSL (BoringSSL) when netty-tcnative is on the class path, as under Gatling,
     * otherwise the JDK's.
     */
    private static final class Context {
        static final SslContext TRUST_ANY = build();

        private static SslContext build() {
            try {
                return SslContextBuilder.forClient()
                        .trustManager(InsecureTrustManagerFactory.INSTANCE) // opportunistic: trust any certificate
                        .endpointIdentificationAlgorithm(null)              // and do not check the server's name
                        .build();
            } catch (SSLException e) {
                throw new UncheckedIOException("cannot make the client's TLS context", e);
            }
        }
    }

    private StartTls() {
    }

    /**
     * Installs the TLS handler (to be called on the 220 to STARTTLS, before anything else is
     * written) and completes when the handshake has, or fails with its error (a timeout after
     * {@code timeout} included; the channel is closed then).
     */
    static CompletionStage<Void> handshake(Channel channel, Duration timeout) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (channel.pipeline().get(SslHandler.class) != null) {
            done.completeExceptionally(new IllegalStateException("TLS is already active on this connection"));
            return done;
        }
        SocketAddress remote = channel.remoteAddress();
        SslHandler tls = remote instanceof InetSocketAddress peer
                // the peer's name goes into SNI (the JDK and OpenSSL leave it out for an IP address)
                ? Context.TRUST_ANY.newHandler(channel.alloc(), peer.getHostString(), peer.getPort())
                : Context.TRUST_ANY.newHandler(channel.alloc());
        tls.setHandshakeTimeoutMillis(timeout.toMillis());
        tls.handshakeFuture().addListener(f -> {
            if (f.isSuccess()) {
                done.complete(null);
            } else {
                done.completeExceptionally(f.cause());
                channel.close();
            }
        });
        // At the head: TLS sits between the socket and the SMTP codec. In client mode the handler
        // sends its ClientHello as soon as it is added to the active channel.
        channel.pipeline().addFirst("tls", tls);
        return done;
    }
}
