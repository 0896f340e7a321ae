package org.smarthost.protocol.sasl;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * A SASL server that smtpd authenticates clients against: Postfix's xsasl server plug-in, chosen
 * by {@code smtpd_sasl_type} and located by {@code smtpd_sasl_path}. Implementations never block
 * the caller; their stages complete on the implementation's own event loop, so a caller moves the
 * result to its own thread itself.
 */
public interface SaslServer extends AutoCloseable {

    /**
     * The mechanism names the server offers that pass {@code options} ({@code smtpd_sasl_security_options},
     * or {@code smtpd_sasl_tls_security_options} in a TLS session), in the server's order; empty
     * when none passes. Fails with a {@link SaslUnavailableException} when the server cannot be
     * reached or its handshake fails.
     */
    CompletionStage<List<String>> mechanisms(SaslSecurityOptions options);

    /** Starts one authentication exchange; nothing is sent before its first {@link SaslExchange#step}. */
    SaslExchange begin(SaslRequest request);

    /** Closes the connection to the server; exchanges in progress end with a {@link SaslStep.TempFail}. */
    @Override void close();
}
