package org.smarthost.app.server;

import java.nio.file.Path;
import java.util.Locale;
import org.smarthost.config.Config;
import org.smarthost.config.ConfigException;
import org.smarthost.protocol.sasl.DovecotSaslServer;
import org.smarthost.protocol.sasl.SaslSecurityOptions;
import org.smarthost.protocol.smtpd.SmtpdSasl;

/**
 * smtpd's AUTH from main.cf. Like Postfix built with Dovecot SASL only, smarthost knows one
 * smtpd_sasl_type, "dovecot"; Postfix's default, "cyrus", is refused with a clear error when
 * AUTH is turned on, rather than running without the AUTH the administrator asked for.
 */
final class SmtpdSaslFactory {

    private SmtpdSaslFactory() {
    }

    /**
     * @param queueDirectory what a relative smtpd_sasl_path (e.g. "private/auth") is relative to
     * @param logName        the smtpd service's program name, which the SASL client's warnings use
     */
    static SmtpdSasl build(Config c, Path queueDirectory, String logName) {
        if (!c.getBool("smtpd_sasl_auth_enable")) return SmtpdSasl.NONE;
        String type = c.get("smtpd_sasl_type").strip().toLowerCase(Locale.ROOT);
        if (!type.equals("dovecot")) {
            throw new ConfigException("unsupported SASL server implementation: " + type
                    + " (smarthost supports smtpd_sasl_type = dovecot)");
        }
        SaslSecurityOptions options = options(c, "smtpd_sasl_security_options");
        SaslSecurityOptions tlsOptions = options(c, "smtpd_sasl_tls_security_options");
        String path = c.get("smtpd_sasl_path").strip();
        DovecotSaslServer server;
        try {
            server = DovecotSaslServer.create(path, queueDirectory, c.getTime("smtpd_timeout"), logName);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("smtpd_sasl_path: " + e.getMessage());
        }
        return new SmtpdSasl(true, server, options, tlsOptions, c.getBool("smtpd_sasl_authenticated_header"),
                c.getBool("broken_sasl_auth_clients"), c.get("smtpd_sasl_service").strip(),
                c.getList("smtpd_sasl_exceptions_networks"), c.getInt("smtpd_sasl_response_limit"));
    }

    private static SaslSecurityOptions options(Config c, String name) {
        try {
            return SaslSecurityOptions.parse(c.get(name));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(name + ": " + e.getMessage());
        }
    }
}
