package org.smarthost.protocol.sasl;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * What one AUTH command asks of the SASL server.
 *
 * @param mechanism       the mechanism the client named (matched case-insensitively)
 * @param service         {@code smtpd_sasl_service}, normally "smtp"
 * @param local           the server end of the SMTP connection, or null when unknown
 * @param remote          the client end of the SMTP connection, or null when unknown
 * @param secured         TLS is active on the SMTP connection
 * @param options         the security options in force for this session (smtpd_sasl_security_options,
 *                        or smtpd_sasl_tls_security_options under TLS): a mechanism they exclude is
 *                        refused like an unknown one, as Postfix does
 * @param initialResponse the AUTH command's initial response (base64; "=" means empty), or null
 */
public record SaslRequest(String mechanism, String service, InetSocketAddress local, InetSocketAddress remote,
                          boolean secured, SaslSecurityOptions options, String initialResponse) {

    public SaslRequest {
        Objects.requireNonNull(mechanism, "mechanism");
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(options, "options");
    }
}
