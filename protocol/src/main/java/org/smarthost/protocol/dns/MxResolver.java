package org.smarthost.protocol.dns;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Address;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/**
 * Turns a delivery destination into the ordered list of server addresses to try, with the
 * semantics of Postfix's smtp_addr.c: MX records sorted by preference with equal preferences in
 * random order, the domain's own A/AAAA records when it has no MX, RFC 7505 null MX as a
 * permanent failure, addresses filtered by {@code inet_protocols} and capped by
 * {@code smtp_mx_address_limit}. NXDOMAIN is permanent (5.4.4); SERVFAIL and timeouts are
 * transient (4.4.3).
 */
public final class MxResolver {

    /** {@code smtp_address_preference}. */
    public enum AddressPreference {
        ANY, IPV4, IPV6;

        public static AddressPreference parse(String value) {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        }
    }

    /**
     * @param mxAddressLimit      {@code smtp_mx_address_limit}; 0 means no limit
     * @param deferIfNoMxAddress  {@code smtp_defer_if_no_mx_address_found}
     */
    public record Settings(InetProtocols inetProtocols, AddressPreference addressPreference,
                           int mxAddressLimit, boolean deferIfNoMxAddress) {
        public static Settings defaults() {
            return new Settings(InetProtocols.ALL, AddressPreference.ANY, 5, false);
        }
    }

    private final DnsClient dns;
    private final Settings settings;
    private final Random random;

    public MxResolver(DnsClient dns, Settings settings, Random random) {
        this.dns = dns;
        this.settings = settings;
        this.random = random;
    }

    public MxResolver(DnsClient dns, Settings settings) {
        this(dns, settings, new Random());
    }

    /** Servers for a mail domain: MX lookup, falling back to the domain's addresses. */
    public CompletableFuture<List<ServerAddress>> resolveMx(String domain, int port) {
        Name name;
        try {
            name = DnsClient.name(domain);
        } catch (DnsFailure e) {
            return CompletableFuture.failedFuture(e);
        }
        return dns.query(name, Type.MX).thenCompose(answer -> {
            if (answer instanceof DnsAnswer.NoData) return resolveHost(domain, port);
            if (!(answer instanceof DnsAnswer.Found found)) throw failure(domain, "MX", answer);
            List<MXRecord> mx = new ArrayList<>();
            for (Record record : found.records()) mx.add((MXRecord) record);
            if (mx.size() == 1 && mx.get(0).getTarget().equals(Name.root)) {
                throw new DnsFailure("5.1.0", "Domain " + domain + " does not accept mail (nullMX)");
            }
            mx.removeIf(record -> record.getTarget().equals(Name.root));
            return addressesOf(domain, ordered(mx), port);
        });
    }

    /** Servers for one host, without MX lookup ({@code [host]} nexthops, LMTP). */
    public CompletableFuture<List<ServerAddress>> resolveHost(String host, int port) {
        InetAddress literal = literal(host);
        if (literal != null) {
            if (!settings.inetProtocols().allows(literal)) {
                return CompletableFuture.failedFuture(new DnsFailure("5.4.4",
                        "Host or domain name not found. Name service error for name=" + host
                                + " type=" + (settings.inetProtocols().ipv4() ? "A" : "AAAA")
                                + ": Host found but no data record of requested type"));
            }
            return CompletableFuture.completedFuture(List.of(new ServerAddress(host, literal, port, 0)));
        }
        Name name;
        try {
            name = DnsClient.name(host);
        } catch (DnsFailure e) {
            return CompletableFuture.failedFuture(e);
        }
        return hostAddresses(name).thenApply(lookup -> {
            if (lookup.addresses().isEmpty()) throw failure(host, lookup.failedType(), lookup.failure());
            return limit(toServers(host, lookup.addresses(), port, 0));
        });
    }

    private List<MXRecord> ordered(List<MXRecord> mx) {
        // Shuffle first, then a stable sort: equal preferences keep their random order.
        List<MXRecord> list = new ArrayList<>(mx);
        Collections.shuffle(list, random);
        list.sort(Comparator.comparingInt(MXRecord::getPriority));
        return list;
    }

    private CompletableFuture<List<ServerAddress>> addressesOf(String domain, List<MXRecord> mx, int port) {
        List<CompletableFuture<HostLookup>> lookups = new ArrayList<>();
        for (MXRecord record : mx) lookups.add(hostAddresses(record.getTarget()));
        return CompletableFuture.allOf(lookups.toArray(CompletableFuture[]::new)).thenApply(ignored -> {
            List<ServerAddress> servers = new ArrayList<>();
            DnsFailure transientFailure = null;
            for (int i = 0; i < mx.size(); i++) {
                HostLookup lookup = lookups.get(i).join();
                String host = hostname(mx.get(i).getTarget());
                servers.addAll(toServers(host, lookup.addresses(), port, mx.get(i).getPriority()));
                if (lookup.addresses().isEmpty() && lookup.failure() instanceof DnsAnswer.TryAgain
                        && transientFailure == null) {
                    transientFailure = failure(host, lookup.failedType(), lookup.failure());
                }
            }
            if (servers.isEmpty()) {
                if (transientFailure != null) throw transientFailure;
                throw new DnsFailure(settings.deferIfNoMxAddress() ? "4.4.4" : "5.4.4",
                        "no MX host for " + domain + " has a valid address record");
            }
            return limit(servers);
        });
    }

    private record HostLookup(List<InetAddress> addresses, DnsAnswer failure, String failedType) { }

    /** A and/or AAAA (as inet_protocols allows), ordered by smtp_address_preference. */
    private CompletableFuture<HostLookup> hostAddresses(Name name) {
        InetProtocols protocols = settings.inetProtocols();
        CompletableFuture<DnsAnswer> a = protocols.ipv4()
                ? dns.query(name, Type.A) : CompletableFuture.completedFuture(null);
        CompletableFuture<DnsAnswer> aaaa = protocols.ipv6()
                ? dns.query(name, Type.AAAA) : CompletableFuture.completedFuture(null);
        return a.thenCombine(aaaa, (v4, v6) -> {
            List<InetAddress> v4list = addresses(v4);
            List<InetAddress> v6list = addresses(v6);
            boolean v6first = switch (settings.addressPreference()) {
                case IPV6 -> true;
                case IPV4 -> false;
                case ANY -> random.nextBoolean();
            };
            List<InetAddress> all = new ArrayList<>(v6first ? v6list : v4list);
            all.addAll(v6first ? v4list : v6list);
            // Report the most hopeful failure: "try again" beats "not found" beats "no data".
            DnsAnswer failure = worst(v4, v6);
            String type = failure == v4 ? "A" : "AAAA";
            return new HostLookup(all, failure, type);
        });
    }

    private static DnsAnswer worst(DnsAnswer v4, DnsAnswer v6) {
        for (Class<?> kind : List.of(DnsAnswer.TryAgain.class, DnsAnswer.NotFound.class)) {
            if (kind.isInstance(v4)) return v4;
            if (kind.isInstance(v6)) return v6;
        }
        return v6 != null ? v6 : v4;
    }

    private static List<InetAddress> addresses(DnsAnswer answer) {
        List<InetAddress> list = new ArrayList<>();
        if (answer instanceof DnsAnswer.Found found) {
            for (Record record : found.records()) {
                if (record instanceof ARecord a) list.add(a.getAddress());
                else if (record instanceof AAAARecord aaaa) list.add(aaaa.getAddress());
            }
        }
        return list;
    }

    private List<ServerAddress> toServers(String host, List<InetAddress> addresses, int port, int preference) {
        List<ServerAddress> servers = new ArrayList<>();
        for (InetAddress address : addresses) {
            if (settings.inetProtocols().allows(address)) servers.add(new ServerAddress(host, address, port, preference));
        }
        return servers;
    }

    private List<ServerAddress> limit(List<ServerAddress> servers) {
        int limit = settings.mxAddressLimit();
        return limit > 0 && servers.size() > limit ? List.copyOf(servers.subList(0, limit)) : List.copyOf(servers);
    }

    private static DnsFailure failure(String name, String type, DnsAnswer answer) {
        String dsn = answer instanceof DnsAnswer.TryAgain ? "4.4.3" : "5.4.4";
        return new DnsFailure(dsn, "Host or domain name not found. Name service error for name="
                + name + " type=" + type + ": " + answer.text());
    }

    private static String hostname(Name name) {
        String text = name.toString(true);
        return text.isEmpty() ? "." : text;
    }

    /** An IPv4 or IPv6 literal (optionally "ipv6:"-prefixed), or null for a name. */
    static InetAddress literal(String host) {
        String text = host.regionMatches(true, 0, "ipv6:", 0, 5) ? host.substring(5) : host;
        for (int family : new int[] {Address.IPv4, Address.IPv6}) {
            if (Address.isDottedQuad(text) && family == Address.IPv4 || text.contains(":") && family == Address.IPv6) {
                try {
                    return Address.getByAddress(text, family);
                } catch (java.net.UnknownHostException e) {
                    return null;
                }
            }
        }
        return null;
    }
}
