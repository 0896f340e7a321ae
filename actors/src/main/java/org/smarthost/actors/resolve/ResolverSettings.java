package org.smarthost.actors.resolve;

import org.smarthost.config.tables.DomainList;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * The main.cf values trivial-rewrite's resolver reads, already $name-expanded by the caller.
 * Lists are the parameter values split into elements ({@link DomainList#split}).
 *
 * @param myhostname                myhostname
 * @param mydestination             mydestination
 * @param inetInterfaces            addresses of inet_interfaces ("all" expanded to every local address)
 * @param proxyInterfaces           addresses of proxy_interfaces
 * @param relayDomains              relay_domains
 * @param relayDomainsParentStyle   relay_domains listed in parent_domain_matches_subdomains (default yes)
 * @param relayhost                 relayhost ("" when unset)
 * @param defaultTransport          default_transport
 * @param relayTransport            relay_transport
 * @param localTransport            local_transport
 * @param virtualTransport          virtual_transport
 * @param virtualMailboxDomains     virtual_mailbox_domains
 * @param virtualAliasDomains       virtual_alias_domains
 * @param allowPercentHack          allow_percent_hack
 * @param swapBangpath              swap_bangpath
 * @param emptyAddressRecipient     empty_address_recipient
 * @param showUserUnknownTableName  show_user_unknown_table_name
 * @param resolveNullDomain         resolve_null_domain: "user@" is local instead of a syntax error
 * @param resolveNumericDomain      resolve_numeric_domain: "user@192.0.2.1" means user@[192.0.2.1]
 * @param allowMinUser              allow_min_user: recipients may start with "-"
 */
public record ResolverSettings(
        String myhostname,
        List<String> mydestination,
        List<InetAddress> inetInterfaces,
        List<InetAddress> proxyInterfaces,
        List<String> relayDomains,
        boolean relayDomainsParentStyle,
        String relayhost,
        String defaultTransport,
        String relayTransport,
        String localTransport,
        String virtualTransport,
        List<String> virtualMailboxDomains,
        List<String> virtualAliasDomains,
        boolean allowPercentHack,
        boolean swapBangpath,
        String emptyAddressRecipient,
        boolean showUserUnknownTableName,
        boolean resolveNullDomain,
        boolean resolveNumericDomain,
        boolean allowMinUser) {

    public ResolverSettings {
        mydestination = List.copyOf(mydestination);
        inetInterfaces = List.copyOf(inetInterfaces);
        proxyInterfaces = List.copyOf(proxyInterfaces);
        relayDomains = List.copyOf(relayDomains);
        virtualMailboxDomains = List.copyOf(virtualMailboxDomains);
        virtualAliasDomains = List.copyOf(virtualAliasDomains);
        if (relayhost == null) relayhost = "";
    }

    /**
     * Postfix 3.x defaults (compatibility_level >= 2) for a host: mydestination =
     * "$myhostname, localhost.$mydomain, localhost", empty relay_domains and relayhost,
     * local_transport = local:$myhostname, virtual_alias_domains = "" (its default is
     * $virtual_alias_maps, which is empty by default).
     */
    public static ResolverSettings defaults(String myhostname, String mydomain, List<InetAddress> inetInterfaces) {
        return new ResolverSettings(myhostname,
                List.of(myhostname, "localhost." + mydomain, "localhost"),
                inetInterfaces, List.of(),
                List.of(), true, "",
                "smtp", "relay", "local:" + myhostname, "virtual",
                List.of(), List.of(),
                true, true, "MAILER-DAEMON", true, false, false, false);
    }

    public ResolverSettings withRelayhost(String value) {
        return new ResolverSettings(myhostname, mydestination, inetInterfaces, proxyInterfaces, relayDomains,
                relayDomainsParentStyle, value, defaultTransport, relayTransport, localTransport, virtualTransport,
                virtualMailboxDomains, virtualAliasDomains, allowPercentHack, swapBangpath, emptyAddressRecipient,
                showUserUnknownTableName, resolveNullDomain, resolveNumericDomain, allowMinUser);
    }

    public ResolverSettings withRelayDomains(List<String> value) {
        return new ResolverSettings(myhostname, mydestination, inetInterfaces, proxyInterfaces, value,
                relayDomainsParentStyle, relayhost, defaultTransport, relayTransport, localTransport, virtualTransport,
                virtualMailboxDomains, virtualAliasDomains, allowPercentHack, swapBangpath, emptyAddressRecipient,
                showUserUnknownTableName, resolveNullDomain, resolveNumericDomain, allowMinUser);
    }

    public ResolverSettings withTransports(String defaultTransport, String relayTransport, String localTransport,
                                           String virtualTransport) {
        return new ResolverSettings(myhostname, mydestination, inetInterfaces, proxyInterfaces, relayDomains,
                relayDomainsParentStyle, relayhost, defaultTransport, relayTransport, localTransport, virtualTransport,
                virtualMailboxDomains, virtualAliasDomains, allowPercentHack, swapBangpath, emptyAddressRecipient,
                showUserUnknownTableName, resolveNullDomain, resolveNumericDomain, allowMinUser);
    }

    public ResolverSettings withVirtualDomains(List<String> mailboxDomains, List<String> aliasDomains) {
        return new ResolverSettings(myhostname, mydestination, inetInterfaces, proxyInterfaces, relayDomains,
                relayDomainsParentStyle, relayhost, defaultTransport, relayTransport, localTransport, virtualTransport,
                mailboxDomains, aliasDomains, allowPercentHack, swapBangpath, emptyAddressRecipient,
                showUserUnknownTableName, resolveNullDomain, resolveNumericDomain, allowMinUser);
    }

    public ResolverSettings withRoutingOperators(boolean percentHack, boolean bangpath) {
        return new ResolverSettings(myhostname, mydestination, inetInterfaces, proxyInterfaces, relayDomains,
                relayDomainsParentStyle, relayhost, defaultTransport, relayTransport, localTransport, virtualTransport,
                virtualMailboxDomains, virtualAliasDomains, percentHack, bangpath, emptyAddressRecipient,
                showUserUnknownTableName, resolveNullDomain, resolveNumericDomain, allowMinUser);
    }

    public ResolverSettings withResolveFlags(boolean nullDomain, boolean numericDomain, boolean minUser) {
        return new ResolverSettings(myhostname, mydestination, inetInterfaces, proxyInterfaces, relayDomains,
                relayDomainsParentStyle, relayhost, defaultTransport, relayTransport, localTransport, virtualTransport,
                virtualMailboxDomains, virtualAliasDomains, allowPercentHack, swapBangpath, emptyAddressRecipient,
                showUserUnknownTableName, nullDomain, numericDomain, minUser);
    }

    /**
     * Builds the settings from main.cf values that are already $name-expanded (the config
     * module's job), with Postfix's defaults for names that are absent. myhostname must be
     * present. inet_interfaces "all" means every local interface address, "loopback-only"
     * 127.0.0.1 and ::1.
     */
    public static ResolverSettings fromMainCf(Map<String, String> mainCf) {
        String myhostname = required(mainCf, "myhostname");
        String mydomain = mainCf.getOrDefault("mydomain",
                myhostname.contains(".") ? myhostname.substring(myhostname.indexOf('.') + 1) : "localdomain");
        List<String> parentStyle = DomainList.split(mainCf.getOrDefault("parent_domain_matches_subdomains",
                "debug_peer_list,fast_flush_domains,mynetworks,permit_mx_backup_networks,"
                        + "qmqpd_authorized_clients,relay_domains,smtpd_access_maps"));
        return new ResolverSettings(myhostname,
                DomainList.split(mainCf.getOrDefault("mydestination", myhostname + ", localhost." + mydomain + ", localhost")),
                interfaces(mainCf.getOrDefault("inet_interfaces", "all")),
                interfaces(mainCf.getOrDefault("proxy_interfaces", "")),
                DomainList.split(mainCf.getOrDefault("relay_domains", "")),
                parentStyle.contains("relay_domains"),
                mainCf.getOrDefault("relayhost", "").trim(),
                mainCf.getOrDefault("default_transport", "smtp").trim(),
                mainCf.getOrDefault("relay_transport", "relay").trim(),
                mainCf.getOrDefault("local_transport", "local:" + myhostname).trim(),
                mainCf.getOrDefault("virtual_transport", "virtual").trim(),
                DomainList.split(mainCf.getOrDefault("virtual_mailbox_domains", "")),
                DomainList.split(mainCf.getOrDefault("virtual_alias_domains", "")),
                yes(mainCf.getOrDefault("allow_percent_hack", "yes")),
                yes(mainCf.getOrDefault("swap_bangpath", "yes")),
                mainCf.getOrDefault("empty_address_recipient", "MAILER-DAEMON").trim(),
                yes(mainCf.getOrDefault("show_user_unknown_table_name", "yes")),
                yes(mainCf.getOrDefault("resolve_null_domain", "no")),
                yes(mainCf.getOrDefault("resolve_numeric_domain", "no")),
                yes(mainCf.getOrDefault("allow_min_user", "no")));
    }

    private static String required(Map<String, String> mainCf, String name) {
        String v = mainCf.get(name);
        if (v == null || v.isBlank()) throw new IllegalArgumentException("parameter " + name + " is not set");
        return v.trim();
    }

    private static boolean yes(String v) {
        return "yes".equalsIgnoreCase(v.trim());
    }

    /** inet_interfaces / proxy_interfaces value to addresses. */
    public static List<InetAddress> interfaces(String value) {
        List<InetAddress> out = new ArrayList<>();
        for (String item : DomainList.split(value)) {
            try {
                if (item.equalsIgnoreCase("all")) {
                    for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                        out.addAll(Collections.list(nif.getInetAddresses()).stream()
                                .map(ResolverSettings::withoutScope).toList());
                    }
                } else if (item.equalsIgnoreCase("loopback-only")) {
                    out.add(InetAddress.getByName("127.0.0.1"));
                    out.add(InetAddress.getByName("::1"));
                } else {
                    String host = item.startsWith("[") && item.endsWith("]") ? item.substring(1, item.length() - 1) : item;
                    out.addAll(List.of(InetAddress.getAllByName(host)));
                }
            } catch (UnknownHostException | SocketException e) {
                throw new IllegalArgumentException("inet_interfaces: " + item + ": " + e.getMessage(), e);
            }
        }
        return out;
    }

    /** Interface addresses carry an IPv6 scope (fe80::1%eth0); literals in addresses do not. */
    private static InetAddress withoutScope(InetAddress a) {
        try {
            return InetAddress.getByAddress(a.getAddress());
        } catch (UnknownHostException e) {
            return a;
        }
    }
}
