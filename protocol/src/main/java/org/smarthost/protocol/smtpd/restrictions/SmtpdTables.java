package org.smarthost.protocol.smtpd.restrictions;

import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.smarthost.config.Config;
import org.smarthost.config.tables.DomainList;
import org.smarthost.config.tables.LookupTable;
import org.smarthost.config.tables.LookupTables;
import org.smarthost.config.tables.Maps;
import org.smarthost.config.tables.TableOpener;
import org.smarthost.protocol.smtpd.SmtpdSettings;

/**
 * Settings, the pre-parsed lists restrictions consult and the lookup tables they name, built
 * once per server. Tables are opened through a {@link LookupTables} whose relative file names
 * start at queue_directory and whose errors are logged under smtpd's name.
 */
public final class SmtpdTables {

    private final SmtpdSettings settings;
    private final NetworkList mynetworks;
    private final DomainList mydestination;
    private final DomainList relayDomains;
    private final NetworkList bareNewlineExclusions;
    private final NetworkList saslExceptions;
    private final TableOpener opener;
    private final Logger log;
    private final Maps senderLoginMaps;

    public SmtpdTables(SmtpdSettings settings) {
        this(settings, new LookupTables(settings.accessMaps().queueDirectory(),
                LoggerFactory.getLogger(settings.logName())));
    }

    /** With another opener, e.g. tests' own tables. */
    public SmtpdTables(SmtpdSettings settings, TableOpener opener) {
        this.settings = settings;
        this.opener = opener;
        this.log = LoggerFactory.getLogger(settings.logName());
        this.mynetworks = NetworkList.parse("mynetworks", settings.access().mynetworks(), opener);
        // mydestination is a string list in Postfix (resolve_local), relay_domains a domain list.
        this.mydestination = DomainList.of("mydestination", Config.splitList(settings.access().mydestination()),
                DomainList.Style.STRING, false, opener);
        this.relayDomains = DomainList.of("relay_domains", Config.splitList(settings.access().relayDomains()),
                DomainList.Style.DOMAIN, settings.access().parentDomainMatchesSubdomains().contains("relay_domains"), opener);
        this.bareNewlineExclusions = NetworkList.parse("smtpd_forbid_bare_newline_exclusions",
                settings.checks().smtpdForbidBareNewlineExclusions(), opener);
        this.saslExceptions = NetworkList.parse("smtpd_sasl_exceptions_networks", settings.sasl().exceptionsNetworks(), opener);
        this.senderLoginMaps = opener.maps("smtpd_sender_login_maps", settings.accessMaps().smtpdSenderLoginMaps());
    }

    public SmtpdSettings settings() { return settings; }
    public NetworkList mynetworks() { return mynetworks; }
    public DomainList mydestination() { return mydestination; }
    public DomainList relayDomains() { return relayDomains; }
    public NetworkList bareNewlineExclusions() { return bareNewlineExclusions; }
    public NetworkList saslExceptions() { return saslExceptions; }

    /** smtpd_sender_login_maps (opened with the server; empty when not set). */
    public Maps senderLoginMaps() { return senderLoginMaps; }

    /** smtpd's logger (its service's syslog name). */
    public Logger log() { return log; }

    /** Opens (or shares) the "type:name" table; one that cannot be opened fails each lookup. */
    public LookupTable table(String spec) { return opener.open(spec); }

    /**
     * Postfix's permit_auth_destination test, without trivial-rewrite: the recipient is ours to
     * accept when it has no domain (it would get $myorigin), when the domain is in
     * mydestination (local class) or relay_domains (relay class). virtual_alias_domains,
     * virtual_mailbox_domains and the inet_interfaces address literals are not yet consulted.
     *
     * @throws org.smarthost.config.tables.LookupException when a table in either list cannot answer
     */
    public boolean isAuthorizedDestination(String recipient) {
        int at = recipient.lastIndexOf('@');
        if (at < 0) return true;
        String domain = recipient.substring(at + 1).toLowerCase(Locale.ROOT);
        if (domain.endsWith(".") && !domain.endsWith("..")) domain = domain.substring(0, domain.length() - 1);
        String local = recipient.substring(0, at);
        // allow_untrusted_routing = no: "user@a@b", "user%a@b", "a!user@b" with a destination we accept
        // could be relayed onwards by the next hop, so they never count as authorized.
        boolean routed = local.contains("@") || local.contains("%") || local.contains("!");
        if (mydestination.matches(domain)) return !routed;
        if (relayDomains.matches(domain)) return !routed;
        return false;
    }
}
