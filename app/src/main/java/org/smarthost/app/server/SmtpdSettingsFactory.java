package org.smarthost.app.server;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.smarthost.config.Config;
import org.smarthost.config.ConfigException;
import org.smarthost.protocol.smtpd.SmtpdSettings;

/**
 * Builds smtpd's plain settings from main.cf with a service's master.cf -o overrides applied.
 */
final class SmtpdSettingsFactory {

    private SmtpdSettingsFactory() {
    }

    /**
     * @param c            main.cf with the service's -o overrides
     * @param processLimit the service's master.cf maxproc ("-" already resolved)
     */
    static SmtpdSettings build(Config c, int processLimit) {
        return new SmtpdSettings(
                new SmtpdSettings.Identity(
                        c.get("myhostname"),
                        c.get("smtpd_banner"),
                        c.get("mail_name")),
                new SmtpdSettings.Limits(
                        c.getSize("message_size_limit"),
                        c.getInt("line_length_limit"),
                        c.getInt("smtpd_recipient_limit"),
                        c.getInt("smtpd_recipient_overshoot_limit"),
                        c.getTime("smtpd_timeout"),
                        c.getInt("smtpd_hard_error_limit"),
                        c.getInt("smtpd_soft_error_limit"),
                        c.getTime("smtpd_error_sleep_time"),
                        c.getInt("smtpd_junk_command_limit")),
                new SmtpdSettings.Access(
                        c.getList("mynetworks"),
                        c.getList("mydestination"),
                        c.getList("relay_domains"),
                        c.getList("parent_domain_matches_subdomains"),
                        c.getList("smtpd_client_restrictions"),
                        c.getList("smtpd_helo_restrictions"),
                        c.getList("smtpd_sender_restrictions"),
                        c.getList("smtpd_relay_restrictions"),
                        c.getList("smtpd_recipient_restrictions"),
                        c.getList("smtpd_data_restrictions"),
                        c.getInt("relay_domains_reject_code"),
                        c.getInt("reject_code"),
                        c.getInt("defer_code"),
                        c.getInt("non_fqdn_reject_code"),
                        c.getInt("multi_recipient_bounce_reject_code")),
                new SmtpdSettings.Checks(
                        c.getBool("disable_vrfy_command"),
                        c.get("smtpd_forbid_bare_newline").strip().toLowerCase(java.util.Locale.ROOT),
                        c.getList("smtpd_forbid_bare_newline_exclusions"),
                        c.getInt("smtpd_forbid_bare_newline_reject_code"),
                        c.getBool("smtpd_forbid_unauth_pipelining"),
                        c.getList("smtpd_discard_ehlo_keywords"),
                        c.getBool("smtputf8_enable"),
                        c.getBool("smtpd_helo_required"),
                        c.getBool("strict_rfc821_envelopes")),
                processLimit);
    }

    /**
     * The access(5) restrictions' settings: codes, the null sender's key, recipient_delimiter,
     * and each smtpd_restriction_classes name with its list (Postfix refuses to start when a
     * class has no definition).
     *
     * @param queueDirectory where relative table names start, as smtpd runs there
     */
    static SmtpdSettings.AccessMaps accessMaps(Config c, Path queueDirectory) {
        Map<String, List<String>> classes = new LinkedHashMap<>();
        for (String name : c.getList("smtpd_restriction_classes")) {
            String value = c.isKnown(name) ? c.get(name) : "";
            if (value.isBlank()) throw new ConfigException("restriction class `" + name + "' needs a definition");
            classes.put(name, Config.splitList(value));
        }
        return new SmtpdSettings.AccessMaps(queueDirectory,
                c.getInt("access_map_reject_code"),
                c.getInt("access_map_defer_code"),
                c.get("smtpd_null_access_lookup_key"),
                c.get("recipient_delimiter"),
                classes,
                c.get("smtpd_sender_login_maps"),
                c.get("myorigin"));
    }
}
