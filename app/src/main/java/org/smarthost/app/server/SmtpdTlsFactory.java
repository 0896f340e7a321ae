package org.smarthost.app.server;

import io.netty.handler.ssl.SslContext;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.smarthost.config.Config;
import org.smarthost.config.ConfigException;
import org.smarthost.protocol.smtpd.SmtpdTls;
import org.smarthost.protocol.tls.ServerCredentials;
import org.smarthost.protocol.tls.ServerTlsContexts;
import org.smarthost.protocol.tls.TlsProtocols;
import org.smarthost.protocol.tls.TlsSetupException;

/**
 * smtpd's TLS from main.cf, resolved the way Postfix's smtpd does at start-up:
 * smtpd_tls_security_level (when set, and not in wrapper mode) overrides the legacy
 * smtpd_use_tls/smtpd_enforce_tls; wrapper mode implies enforce; enforce implies
 * smtpd_tls_auth_only. A key or certificate that does not load disables TLS with Postfix's
 * warnings, and STARTTLS is then answered 454 rather than the server not starting.
 */
final class SmtpdTlsFactory {

    private SmtpdTlsFactory() {
    }

    /**
     * @param queueDirectory relative file names are relative to it, as Postfix's daemons run there
     * @param logName        the smtpd service's program name, for the warnings
     */
    static SmtpdTls build(Config c, Path queueDirectory, String logName) {
        Logger log = LoggerFactory.getLogger(logName);
        boolean use = c.getBool("smtpd_use_tls");
        boolean enforce = c.getBool("smtpd_enforce_tls");
        boolean wrapper = c.getBool("smtpd_tls_wrappermode");
        String level = c.get("smtpd_tls_security_level").strip().toLowerCase(Locale.ROOT);
        if (!wrapper && !level.isEmpty()) {
            switch (level) {
                case "none" -> use = enforce = false;
                case "may" -> {
                    use = true;
                    enforce = false;
                }
                case "encrypt" -> use = enforce = true;
                case "secure", "verify", "fingerprint" -> {
                    log.warn("warning: smtpd_tls_security_level: unsupported TLS level \"{}\", using \"encrypt\"", level);
                    use = enforce = true;
                }
                default -> throw new ConfigException("Invalid TLS level \"" + c.get("smtpd_tls_security_level").strip() + "\"");
            }
        }
        enforce = wrapper || enforce;
        boolean authOnly = c.getBool("smtpd_tls_auth_only") || enforce;
        use = use || enforce;
        SslContext context = use ? context(c, queueDirectory, enforce, log) : null;
        return new SmtpdTls(use, enforce, wrapper, authOnly, c.getBool("smtpd_tls_received_header"),
                c.getInt("smtpd_tls_loglevel"), c.getTime("smtpd_starttls_timeout"), context);
    }

    private static SslContext context(Config c, Path queueDirectory, boolean enforce, Logger log) {
        try {
            ServerCredentials credentials = credentials(c, queueDirectory, log);
            if (credentials == null) {
                log.warn("warning: No server certs available. TLS won't be enabled");
                return null;
            }
            String protocols = c.get(enforce ? "smtpd_tls_mandatory_protocols" : "smtpd_tls_protocols");
            List<String> enabled;
            try {
                enabled = TlsProtocols.enabled(protocols);
            } catch (IllegalArgumentException e) {
                throw new TlsSetupException(e.getMessage() + ": disabling TLS support");
            }
            return ServerTlsContexts.build(credentials, enabled);
        } catch (TlsSetupException e) {
            log.warn("warning: {}", e.getMessage());
            return null;
        }
    }

    /** smtpd_tls_chain_files when set, else the cert/key pairs; null when none is configured. */
    private static ServerCredentials credentials(Config c, Path queueDirectory, Logger log) throws TlsSetupException {
        List<String> chains = c.getList("smtpd_tls_chain_files");
        String cert = c.get("smtpd_tls_cert_file").strip();
        String eccert = c.get("smtpd_tls_eccert_file").strip();
        if (cert.equalsIgnoreCase("none")) cert = "";
        if (!chains.isEmpty()) {
            if (!cert.isEmpty() || !eccert.isEmpty() || !c.get("smtpd_tls_dcert_file").isBlank()) {
                log.warn("warning: Both smtpd_tls_chain_files and one or more of the legacy  smtpd_tls_cert_file,"
                        + " smtpd_tls_eccert_file or smtpd_tls_dcert_file are non-empty; the legacy  parameters will be ignored");
            }
            return ServerCredentials.fromChainFiles(chains.stream().map(f -> queueDirectory.resolve(f)).toList());
        }
        List<ServerCredentials.CertKeyFiles> pairs = new ArrayList<>();
        if (!cert.isEmpty()) {
            String key = c.get("smtpd_tls_key_file").strip();
            pairs.add(new ServerCredentials.CertKeyFiles("RSA", queueDirectory.resolve(cert),
                    queueDirectory.resolve(key.isEmpty() ? cert : key)));
        }
        if (!eccert.isEmpty()) {
            String key = c.get("smtpd_tls_eckey_file").strip();
            pairs.add(new ServerCredentials.CertKeyFiles("ECDSA", queueDirectory.resolve(eccert),
                    queueDirectory.resolve(key.isEmpty() ? eccert : key)));
        }
        return pairs.isEmpty() ? null : ServerCredentials.fromCertAndKey(pairs);
    }
}
