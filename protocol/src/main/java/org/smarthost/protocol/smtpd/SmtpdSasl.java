package org.smarthost.protocol.smtpd;

import java.util.List;
import java.util.Objects;
import org.smarthost.protocol.sasl.SaslSecurityOptions;
import org.smarthost.protocol.sasl.SaslServer;

/**
 * smtpd's SMTP AUTH (RFC 4954) settings.
 *
 * @param enabled             smtpd_sasl_auth_enable
 * @param server              the SASL server (smtpd_sasl_type, smtpd_sasl_path); null when not enabled
 * @param options             smtpd_sasl_security_options, for sessions without TLS
 * @param tlsOptions          smtpd_sasl_tls_security_options, for sessions with TLS
 * @param authenticatedHeader smtpd_sasl_authenticated_header: the login name in Received:
 * @param brokenClients       broken_sasl_auth_clients: also announce "AUTH=mechanisms"
 * @param service             smtpd_sasl_service
 * @param exceptionsNetworks  smtpd_sasl_exceptions_networks: clients not offered AUTH
 * @param responseLimit       smtpd_sasl_response_limit: longest client response line
 */
public record SmtpdSasl(boolean enabled, SaslServer server, SaslSecurityOptions options, SaslSecurityOptions tlsOptions,
                        boolean authenticatedHeader, boolean brokenClients, String service,
                        List<String> exceptionsNetworks, int responseLimit) {

    public static final SmtpdSasl NONE = new SmtpdSasl(false, null, SaslSecurityOptions.DEFAULT,
            SaslSecurityOptions.DEFAULT, false, false, "smtp", List.of(), 12288);

    public SmtpdSasl {
        Objects.requireNonNull(options, "smtpd_sasl_security_options");
        Objects.requireNonNull(tlsOptions, "smtpd_sasl_tls_security_options");
        Objects.requireNonNull(service, "smtpd_sasl_service");
        exceptionsNetworks = List.copyOf(exceptionsNetworks);
        if (enabled) Objects.requireNonNull(server, "SASL server");
    }
}
