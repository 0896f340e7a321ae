package org.smarthost.actors.resolve;

import org.smarthost.config.tables.DomainList;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.smarthost.config.tables.LookupException;
import org.smarthost.config.tables.Maps;
import org.smarthost.config.tables.TableOpener;
import org.smarthost.protocol.text.Utf8Names;

/**
 * trivial-rewrite(8)'s resolve service: strips local domains and routing operators from a
 * recipient, finds the address class of what is left, and picks that class's transport and
 * nexthop (ADDRESS_CLASS_README). A "transport:nexthop" value in a *_transport parameter
 * overrides the nexthop; sender_dependent_relayhost_maps, else relayhost, overrides the domain
 * for relay and default classes, and sender_dependent_default_transport_maps overrides
 * default_transport for the default class (transport_maps, a later stage, still wins).
 */
public final class TrivialRewrite implements AddressResolver {

    private static final Logger log = LoggerFactory.getLogger("postfix/trivial-rewrite");

    private final ResolverSettings settings;
    private final String configDirectory;
    private final DomainList mydestination;
    private final DomainList relayDomains;
    private final DomainList virtualMailboxDomains;
    private final DomainList virtualAliasDomains;
    private final SenderDependentMaps senderDependent;

    public TrivialRewrite(ResolverSettings settings, TableOpener tables, String configDirectory) {
        this(settings, tables, configDirectory, SenderDependentMaps.none());
    }

    public TrivialRewrite(ResolverSettings settings, TableOpener tables, String configDirectory,
                          SenderDependentMaps senderDependent) {
        this.settings = settings;
        this.senderDependent = senderDependent == null ? SenderDependentMaps.none() : senderDependent;
        this.configDirectory = configDirectory;
        this.mydestination = DomainList.of("mydestination", settings.mydestination(),
                DomainList.Style.STRING, false, tables);
        this.relayDomains = DomainList.of("relay_domains", settings.relayDomains(),
                DomainList.Style.DOMAIN, settings.relayDomainsParentStyle(), tables);
        this.virtualMailboxDomains = DomainList.of("virtual_mailbox_domains", settings.virtualMailboxDomains(),
                DomainList.Style.STRING, false, tables);
        this.virtualAliasDomains = DomainList.of("virtual_alias_domains", settings.virtualAliasDomains(),
                DomainList.Style.STRING, false, tables);
    }

    public TrivialRewrite(ResolverSettings settings) {
        this(settings, TableOpener.NONE, "/etc/postfix");
    }

    @Override
    public Resolution resolve(String sender, String address) {
        Set<Resolution.Flag> flags = EnumSet.noneOf(Resolution.Flag.class);
        String addr = address;
        String savedDomain = null;
        String remoteDomain = null;
        try {
            int loopMax = address.length() + 100;
            for (int loop = 0; ; loop++) {
                if (loop > loopMax) {
                    log.warn("warning: resolve_addr: <{}>: giving up after {} iterations", address, loop);
                    break;
                }
                int at = addr.lastIndexOf('@');
                if (at >= 0) {
                    String domain = stripOneDot(addr.substring(at + 1));
                    addr = addr.substring(0, at + 1) + domain;
                    if (domain.isEmpty() && settings.resolveNullDomain()) {
                        addr = addr.substring(0, at);       // resolve_null_domain: "user@" is "user"
                        continue;
                    }
                    if (!domain.isEmpty() && !isLocal(domain)) {
                        remoteDomain = domain;
                        break;
                    }
                    savedDomain = domain;
                    addr = addr.substring(0, at);
                }
                // Local domain stripped (or none given): expose any routing operators and retry.
                if (addr.indexOf('@') >= 0) continue;
                int bang = addr.indexOf('!');
                if (settings.swapBangpath() && bang >= 0) {
                    addr = addr.substring(bang + 1) + "@" + addr.substring(0, bang);
                    continue;
                }
                int percent = addr.lastIndexOf('%');
                if (settings.allowPercentHack() && percent >= 0) {
                    addr = addr.substring(0, percent) + "@" + addr.substring(percent + 1);
                    continue;
                }
                if (addr.isEmpty()) addr = settings.emptyAddressRecipient();
                break;
            }
        } catch (LookupException e) {
            log.warn("warning: {}", e.getMessage());
            log.warn("warning: mydestination lookup failure");
            return failure(address);
        }

        String recipient;
        if (remoteDomain != null) {
            recipient = addr;
        } else {
            recipient = addr + "@" + (savedDomain != null ? savedDomain : settings.myhostname());
        }
        String rcptDomain = recipient.substring(recipient.lastIndexOf('@') + 1);
        String localPart = recipient.substring(0, recipient.lastIndexOf('@'));
        if (rcptDomain.startsWith("[")) {
            if (!validHostLiteral(rcptDomain)) return badSyntax(recipient);
        } else if (!validHostname(rcptDomain)) {
            // Bare network addresses are not domain names, unless resolve_numeric_domain says so.
            InetAddress numeric = settings.resolveNumericDomain() ? parseLiteral(literalOf(rcptDomain)) : null;
            if (numeric == null) return badSyntax(recipient);
            rcptDomain = literalOf(rcptDomain);
            recipient = localPart + "@" + rcptDomain;
            if (isLocal(rcptDomain)) remoteDomain = null;
        }
        if (!settings.allowMinUser() && recipient.startsWith("-")) {
            return badSyntax(recipient);     // a pipe command could take it for an option
        }
        // Routing operators left in the local-part: the next hop might honour them, so the
        // SMTP server must treat this as relaying (smtpd's "routed" check).
        if (localPart.indexOf('@') >= 0 || localPart.indexOf('!') >= 0 || localPart.indexOf('%') >= 0) {
            flags.add(Resolution.Flag.ROUTED);
        }

        AddressClass addressClass;
        String channel;
        String nexthop;
        String blame;
        if (remoteDomain != null) {
            String parameter = "virtual_alias_domains";
            try {
                if (virtualAliasDomains.matches(rcptDomain)) {
                    parameter = "virtual_mailbox_domains";
                    if (virtualMailboxDomains.matches(rcptDomain)) {
                        warnBoth(rcptDomain, "virtual_alias_domains", "virtual_mailbox_domains");
                    }
                    parameter = "relay_domains";
                    if (relayDomains.matches(rcptDomain)) {
                        warnBoth(rcptDomain, "virtual_alias_domains", "relay_domains");
                    }
                    return new Resolution(AddressClass.VIRTUAL_ALIAS, Resolution.ERROR,
                            "User unknown" + (settings.showUserUnknownTableName() ? " in virtual alias table" : ""),
                            recipient, flags);
                }
                parameter = "virtual_mailbox_domains";
                if (virtualMailboxDomains.matches(rcptDomain)) {
                    parameter = "relay_domains";
                    if (relayDomains.matches(rcptDomain)) {
                        warnBoth(rcptDomain, "virtual_mailbox_domains", "relay_domains");
                    }
                    addressClass = AddressClass.VIRTUAL_MAILBOX;
                    channel = settings.virtualTransport();
                    nexthop = rcptDomain;
                    blame = "virtual_transport";
                } else {
                    parameter = "relay_domains";
                    if (relayDomains.matches(rcptDomain)) {
                        addressClass = AddressClass.RELAY;
                        channel = settings.relayTransport();
                        blame = "relay_transport";
                    } else {
                        addressClass = AddressClass.DEFAULT;
                        channel = settings.defaultTransport();
                        blame = "default_transport";
                        Maps xport = senderDependent.defaultTransport();
                        parameter = xport.parameter();
                        String value = senderLookup(xport, sender, senderDependent.nullDefaultTransportKey());
                        if (value != null) {
                            if (!value.equalsIgnoreCase("DUNNO")) channel = value;
                            blame = xport.parameter();
                        }
                    }
                    // Off-host delivery: the sender-dependent or global relayhost overrides
                    // the recipient domain; "DUNNO" keeps relayhost.
                    Maps relay = senderDependent.relayhost();
                    parameter = relay.parameter();
                    String value = senderLookup(relay, sender, senderDependent.nullRelayhostKey());
                    if (value != null && !value.equalsIgnoreCase("DUNNO")) {
                        nexthop = value;
                    } else {
                        nexthop = settings.relayhost().isEmpty() ? rcptDomain : settings.relayhost();
                    }
                }
            } catch (LookupException e) {
                log.warn("warning: {}", e.getMessage());
                log.warn("warning: {} lookup failure", parameter);
                return failure(recipient);
            }
        } else {
            try {
                if (virtualAliasDomains.matches(rcptDomain)) {
                    warnBoth(rcptDomain, "mydestination", "virtual_alias_domains");
                }
                if (virtualMailboxDomains.matches(rcptDomain)) {
                    warnBoth(rcptDomain, "mydestination", "virtual_mailbox_domains");
                }
            } catch (LookupException ignored) {
                // only a warning was at stake
            }
            addressClass = AddressClass.LOCAL;
            channel = settings.localTransport();
            nexthop = rcptDomain;
            blame = "local_transport";
        }

        // An explicit main.cf "transport:nexthop" overrides the nexthop; with
        // local_transport = local:$myhostname all local domains share one queue.
        int colon = channel.indexOf(':');
        if (colon >= 0) {
            String destination = channel.substring(colon + 1);
            channel = channel.substring(0, colon);
            if (!destination.isEmpty()) nexthop = destination;
        }
        if (channel.isEmpty()) {
            log.warn("warning: file {}/main.cf: parameter {}: null transport is not allowed", configDirectory, blame);
            return failure(recipient);
        }
        return new Resolution(addressClass, channel, nexthop, recipient, flags);
    }

    /**
     * A sender-dependent table's value for the sender, null when none; an empty value is
     * ignored with Postfix's warning (as "DUNNO").
     */
    private String senderLookup(Maps maps, String sender, String nullKey) {
        if (maps.isEmpty()) return null;
        String key = SenderDependentMaps.senderKey(sender, nullKey);
        String value = SenderDependentMaps.mailAddrFind(maps, key, senderDependent.recipientDelimiter(),
                senderDependent.myorigin(), this::isLocal).map(String::trim).orElse(null);
        if (value != null && value.isEmpty()) {
            log.warn("warning: {}: ignoring null lookup result for {}", maps.parameter(), key);
            return "DUNNO";
        }
        return value;
    }

    /** resolve_local(): mydestination, or an address literal of one of our interfaces. */
    public boolean isLocal(String domain) {
        String d = stripOneDot(domain);
        if (d.isEmpty() || d.endsWith(".")) return false;
        if (mydestination.matches(d)) return true;
        if (d.startsWith("[") && d.endsWith("]")) {
            InetAddress literal = parseLiteral(d);
            return literal != null
                    && (settings.inetInterfaces().contains(literal) || settings.proxyInterfaces().contains(literal));
        }
        return false;
    }

    private void warnBoth(String domain, String first, String second) {
        log.warn("warning: do not list domain {} in BOTH {} and {}", domain, first, second);
    }

    private static Resolution failure(String recipient) {
        return new Resolution(AddressClass.DEFAULT, Resolution.RETRY, Resolution.RESOLVER_FAILURE, recipient,
                EnumSet.of(Resolution.Flag.FAIL));
    }

    private static Resolution badSyntax(String recipient) {
        return new Resolution(AddressClass.DEFAULT, Resolution.ERROR, Resolution.BAD_ADDRESS_SYNTAX, recipient,
                EnumSet.of(Resolution.Flag.ERROR));
    }

    private static String literalOf(String address) {
        return address.contains(":") ? "[IPv6:" + address + "]" : "[" + address + "]";
    }

    /** Strip one trailing dot, but not dot-dot or at-dot: bogus names stay bogus for diagnostics. */
    private static String stripOneDot(String domain) {
        if (domain.length() > 1 && domain.endsWith(".") && !domain.endsWith("..")) {
            return domain.substring(0, domain.length() - 1);
        }
        return domain;
    }

    /**
     * Postfix's valid_hostname(): labels of 1-63 letters, digits, "_" and inner "-", at most
     * 255 octets, and not digits and dots only (that looks like an address, not a name). One
     * pass over the characters: every recipient is checked, at RCPT time and again by qmgr, and
     * a regular expression per label was 1.7% of the server's CPU relaying 5-recipient mail.
     */
    static boolean validHostname(String name) {
        if (!Utf8Names.isAscii(name)) return validUtf8Hostname(name);
        int n = name.length();
        if (n == 0 || n > 255) return false;
        boolean numeric = true;
        int labelStart = 0;
        for (int i = 0; i <= n; i++) {
            char c = i < n ? name.charAt(i) : '.';
            if (c == '.') {
                int length = i - labelStart;
                if (length == 0 || length > 63 || name.charAt(labelStart) == '-' || name.charAt(i - 1) == '-') {
                    return false;
                }
                labelStart = i + 1;
            } else if (c < '0' || c > '9') {
                if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == '-')) return false;
                numeric = false;
            }
        }
        return !numeric;
    }

    /**
     * Postfix's valid_utf8_hostname() with smtputf8_enable = yes: labels without a leading or
     * trailing hyphen that have an IDNA A-label form. smtpd lets a non-ASCII address in only
     * after the client declared SMTPUTF8, which it can only when smtputf8_enable is yes.
     */
    private static boolean validUtf8Hostname(String name) {
        for (String label : name.split("\\.", -1)) {
            if (label.isEmpty() || label.startsWith("-") || label.endsWith("-")) return false;
        }
        try {
            String ascii = Utf8Names.toAscii(name);
            if (ascii.length() > 255) return false;
            for (String label : ascii.split("\\.", -1)) {
                if (label.isEmpty() || label.length() > 63) return false;
            }
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    static boolean validHostLiteral(String literal) {
        return parseLiteral(literal) != null;
    }

    /**
     * Parses "[192.0.2.1]" and "[IPv6:2001:db8::1]" without any DNS lookup; null when not a
     * numeric address. An IPv6 address needs its "IPv6:" tag (RFC 5321, 4.1.3): Postfix's
     * valid_mailhost_literal() rejects "[::1]".
     */
    static InetAddress parseLiteral(String literal) {
        if (!literal.startsWith("[") || !literal.endsWith("]")) return null;
        String body = literal.substring(1, literal.length() - 1);
        if (body.regionMatches(true, 0, "IPv6:", 0, 5)) {
            body = body.substring(5);
            if (!body.contains(":") || !body.toLowerCase(Locale.ROOT).matches("[0-9a-f:.]+")) return null;
        } else if (body.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
            for (String part : body.split("\\.")) {
                if (Integer.parseInt(part) > 255) return null;
            }
        } else {
            return null;
        }
        try {
            return InetAddress.getByName(body);    // numeric only (checked above): no DNS
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
