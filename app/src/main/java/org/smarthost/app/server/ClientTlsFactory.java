package org.smarthost.app.server;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.smarthost.config.Config;
import org.smarthost.protocol.client.ClientStartTls;
import org.smarthost.protocol.client.SessionFailure;
import org.smarthost.protocol.client.StartTlsHook;
import org.smarthost.protocol.tls.TlsProtocols;

/**
 * The SMTP/LMTP client's STARTTLS from main.cf: smtp_tls_security_level (lmtp_ for LMTP), or
 * when that is empty the legacy smtp_use_tls/smtp_enforce_tls. "none", "may" and "encrypt" are
 * implemented. "dane" falls back to "may" (it needs DNSSEC validation, which smarthost's resolver
 * does not do; Postfix does the same without it). Levels that verify the server's certificate
 * ("verify", "secure", "fingerprint", "dane-only") are not implemented: rather than send in
 * plaintext what the administrator wanted verified, every delivery is deferred with Postfix's
 * "TLS is required, but our TLS engine is unavailable".
 */
final class ClientTlsFactory {

    private ClientTlsFactory() {
    }

    static StartTlsHook build(Config c, boolean lmtp, Logger log) {
        String p = lmtp ? "lmtp_" : "smtp_";
        String level = c.get(p + "tls_security_level").strip().toLowerCase(Locale.ROOT);
        if (level.isEmpty()) {
            level = c.getBool(p + "enforce_tls") ? "encrypt" : c.getBool(p + "use_tls") ? "may" : "none";
        }
        boolean required;
        switch (level) {
            case "none" -> {
                return StartTlsHook.NONE;
            }
            case "may" -> required = false;
            case "encrypt" -> required = true;
            case "dane" -> {
                log.warn("warning: {}tls_security_level: \"dane\" needs a DNSSEC-validating resolver, which smarthost"
                        + " does not have yet; using \"may\"", p);
                required = false;
            }
            case "verify", "secure", "fingerprint", "dane-only" -> {
                log.warn("warning: {}tls_security_level: \"{}\" is not implemented by smarthost yet; mail waits"
                        + " in the queue", p, level);
                return unavailable();
            }
            default -> {
                log.warn("warning: {}tls_security_level: invalid TLS security level \"{}\"; mail waits in the queue",
                        p, level);
                return unavailable();
            }
        }
        String protocols = c.get(p + (required ? "tls_mandatory_protocols" : "tls_protocols"));
        try {
            // Neither "may" nor "encrypt" checks the certificate (Postfix: "opportunistic" and
            // "mandatory unauthenticated" TLS), so any certificate is accepted.
            SslContext context = SslContextBuilder.forClient()
                    .sslProvider(SslProvider.JDK)
                    .trustManager(InsecureTrustManagerFactory.INSTANCE)
                    .endpointIdentificationAlgorithm(null) // nor the server's name (Netty 4.2 checks it by default)
                    .protocols(TlsProtocols.enabled(protocols))
                    .build();
            return new ClientStartTls(required, context, c.getTime(p + "starttls_timeout"), c.getInt(p + "tls_loglevel"), log);
        } catch (SSLException | IllegalArgumentException e) {
            log.warn("warning: {}: disabling TLS support", e.getMessage());
            return required ? unavailable() : StartTlsHook.NONE;
        }
    }

    private static StartTlsHook unavailable() {
        return (connection, features) -> CompletableFuture.failedFuture(
                new SessionFailure("4.7.5", "TLS is required, but our TLS engine is unavailable", null));
    }
}
