package org.smarthost.protocol.client;

import java.util.concurrent.CompletableFuture;

/**
 * The seam for STARTTLS (smtp_tls_security_level and friends come in a later issue). Called after
 * a successful EHLO/LHLO; an implementation sends STARTTLS, installs an SslHandler in the
 * connection's pipeline and completes with true, after which the client repeats EHLO as RFC 3207
 * requires. Completing exceptionally with a {@link SessionFailure} fails the session with that
 * text (e.g. "TLS is required, but was not offered by host ...").
 */
@FunctionalInterface
public interface StartTlsHook {

    /** No TLS: plaintext sessions, as with {@code smtp_tls_security_level = none}. */
    StartTlsHook NONE = (connection, features) -> CompletableFuture.completedFuture(false);

    CompletableFuture<Boolean> negotiate(SmtpConnection connection, EsmtpFeatures features);
}
