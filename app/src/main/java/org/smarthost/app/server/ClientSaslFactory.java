package org.smarthost.app.server;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.smarthost.config.Config;
import org.smarthost.config.ConfigException;
import org.smarthost.config.tables.DomainList;
import org.smarthost.config.tables.LookupTables;
import org.smarthost.config.tables.Maps;
import org.smarthost.protocol.client.ClientSasl;
import org.smarthost.protocol.sasl.SaslSecurityOptions;

/**
 * The SMTP/LMTP client's SMTP AUTH from main.cf (lmtp_ names for LMTP, as in Postfix):
 * smtp_sasl_auth_enable, smtp_sasl_password_maps, smtp_sasl_security_options,
 * smtp_sasl_tls_security_options, smtp_sasl_mechanism_filter, smtp_sasl_auth_soft_bounce and
 * smtp_sender_dependent_authentication. smtp_sasl_type "cyrus" (Postfix's only client type)
 * stands for the client's built-in mechanisms (CRAM-MD5, PLAIN, LOGIN); any other type, an empty
 * password table or an unknown security option stops the start (or the reload) with a clear
 * error, as Postfix's smtp(8) stops with a fatal error, rather than deliver without the AUTH the
 * administrator asked for.
 */
final class ClientSaslFactory {

    private ClientSaslFactory() {
    }

    /**
     * @param queueDirectory where relative table names start
     * @throws ConfigException for settings that Postfix's smtp(8) refuses at start
     */
    static ClientSasl build(Config c, boolean lmtp, Path queueDirectory, Logger log) {
        String p = lmtp ? "lmtp_" : "smtp_";
        if (!c.getBool(p + "sasl_auth_enable")) return ClientSasl.NONE;
        String type = c.get(p + "sasl_type").strip().toLowerCase(Locale.ROOT);
        if (!type.equals("cyrus")) {
            throw new ConfigException("unsupported SASL client implementation: " + type + " (" + p
                    + "sasl_type = cyrus is the client type; smarthost's built-in client knows CRAM-MD5, PLAIN and LOGIN)");
        }
        String passwords = c.get(p + "sasl_password_maps").strip();
        if (passwords.isEmpty()) {
            throw new ConfigException("specify a password table via the `" + p + "sasl_password_maps' configuration parameter");
        }
        LookupTables tables = new LookupTables(queueDirectory, log);
        Maps maps = tables.maps(p + "sasl_password_maps", passwords);
        return new ClientSasl(true, maps,
                options(c, p + "sasl_security_options"),
                options(c, p + "sasl_tls_security_options"),
                mechanismFilter(c, p + "sasl_mechanism_filter", tables),
                !lmtp && c.getBool(p + "sender_dependent_authentication"), // Postfix: SMTP mode only
                c.getBool(p + "sasl_auth_soft_bounce"),
                c.get("recipient_delimiter"),
                log);
    }

    private static SaslSecurityOptions options(Config c, String name) {
        try {
            return SaslSecurityOptions.parse(c.get(name));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(name + ": " + e.getMessage());
        }
    }

    /**
     * smtp_sasl_mechanism_filter as Postfix's string_list: mechanism names, "/file/name" (the
     * names in a file), "type:table" (a mechanism that is a key matches) and "!" before any of
     * them to exclude; the first match decides, no match excludes. Names match case-insensitively.
     * Null when the filter is empty (every mechanism passes).
     */
    static Predicate<String> mechanismFilter(Config c, String name, LookupTables tables) {
        try {
            DomainList list = DomainList.of(name, c.getList(name), DomainList.Style.STRING, false, tables);
            return list.isEmpty() ? null : list::matches;
        } catch (UncheckedIOException e) {
            throw new ConfigException(e.getMessage());
        }
    }
}
