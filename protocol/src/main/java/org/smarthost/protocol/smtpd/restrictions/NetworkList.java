package org.smarthost.protocol.smtpd.restrictions;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.smarthost.config.Config;
import org.smarthost.config.InetText;
import org.smarthost.config.tables.DomainList;
import org.smarthost.config.tables.LookupException;
import org.smarthost.config.tables.LookupTable;
import org.smarthost.config.tables.TableOpener;

/**
 * Network patterns as written in mynetworks: "127.0.0.0/8", "[::1]/128", "192.0.2.1",
 * "!10.0.0.0/8", "/file/name" (its patterns in place) and "type:table" (matches when the table
 * has the client address, written as Postfix writes it, e.g. a cidr: table). IPv4-mapped IPv6
 * clients (::ffff:a.b.c.d) also match IPv4 patterns, since Java may report them either way.
 * Host and domain names are not supported yet (warned and skipped).
 */
public final class NetworkList {

    private static final Logger log = LoggerFactory.getLogger("postfix/smtpd");

    private sealed interface Entry permits Cidr, Table {
        boolean negate();
    }

    private record Table(LookupTable table, boolean negate) implements Entry {
    }

    private record Cidr(byte[] network, int prefix, boolean negate) implements Entry {
        boolean contains(byte[] addr) {
            if (addr.length != network.length) return false;
            int full = prefix / 8;
            for (int i = 0; i < full; i++) if (addr[i] != network[i]) return false;
            int rem = prefix % 8;
            if (rem == 0) return true;
            int mask = (0xff << (8 - rem)) & 0xff;
            return (addr[full] & mask) == (network[full] & mask);
        }
    }

    private final List<Entry> entries;

    private NetworkList(List<Entry> entries) {
        this.entries = entries;
    }

    /** A list without "type:table" elements (any is a table that fails each lookup). */
    public static NetworkList parse(String parameter, List<String> patterns) {
        return parse(parameter, patterns, TableOpener.NONE);
    }

    public static NetworkList parse(String parameter, List<String> patterns, TableOpener tables) {
        List<Entry> list = new ArrayList<>();
        for (String p : Config.splitList(patterns)) add(parameter, p, false, tables, list);
        return new NetworkList(List.copyOf(list));
    }

    private static void add(String parameter, String pattern, boolean negated, TableOpener tables, List<Entry> list) {
        String p = pattern;
        boolean negate = negated;
        while (p.startsWith("!")) {
            negate = !negate;
            p = p.substring(1);
        }
        if (p.startsWith("/")) {
            for (String inner : DomainList.readFile(parameter, p)) add(parameter, inner, negate, tables, list);
        } else if (DomainList.isTableReference(p)) {
            list.add(new Table(tables.open(p), negate));
        } else {
            try {
                list.add(parseOne((negate ? "!" : "") + p));
            } catch (IllegalArgumentException | UnknownHostException e) {
                log.warn("warning: {}: unsupported or bad network pattern \"{}\"; ignored", parameter, pattern);
            }
        }
    }

    private static Cidr parseOne(String p) throws UnknownHostException {
        boolean negate = p.startsWith("!");
        if (negate) p = p.substring(1);
        String addr = p;
        int prefix = -1;
        int slash = p.lastIndexOf('/');
        if (slash >= 0) {
            addr = p.substring(0, slash);
            prefix = Integer.parseInt(p.substring(slash + 1));
        }
        if (addr.startsWith("[") && addr.endsWith("]")) addr = addr.substring(1, addr.length() - 1);
        if (!addr.matches("[0-9a-fA-F:.]+") || (!addr.contains(":") && !addr.matches("\\d+\\.\\d+\\.\\d+\\.\\d+")))
            throw new IllegalArgumentException(p);
        byte[] bytes = InetAddress.getByName(addr).getAddress(); // literal only: no DNS
        if (addr.contains(":") && bytes.length == 4 && prefix >= 0) {
            // Java turns "::ffff:a.b.c.d" into an IPv4 address; keep the prefix meaningful.
            if (prefix < 96) throw new IllegalArgumentException(p);
            prefix -= 96;
        }
        if (prefix < 0) prefix = bytes.length * 8;
        if (prefix > bytes.length * 8) throw new IllegalArgumentException(p);
        return new Cidr(bytes, prefix, negate);
    }

    /**
     * For lists whose answer only relaxes a check (smtpd_sasl_exceptions_networks,
     * smtpd_forbid_bare_newline_exclusions): a table that cannot answer is logged and the
     * list does not match, so the stricter behaviour applies.
     */
    public boolean matchesOrNot(InetAddress address) {
        try {
            return matches(address);
        } catch (LookupException e) {
            log.warn("warning: {}", e.getMessage());
            return false;
        }
    }

    /** @throws LookupException when a table in the list cannot answer */
    public boolean matches(InetAddress address) {
        byte[] a = address.getAddress();
        byte[] v4 = null;
        if (a.length == 16 && isMapped(a)) {
            v4 = new byte[]{a[12], a[13], a[14], a[15]};
        }
        for (Entry e : entries) {
            boolean hit = e instanceof Cidr c
                    ? c.contains(a) || (v4 != null && c.contains(v4))
                    : ((Table) e).table().find(InetText.ntop(address)).isPresent();
            if (hit) return !e.negate();
        }
        return false;
    }

    private static boolean isMapped(byte[] a) {
        for (int i = 0; i < 10; i++) if (a[i] != 0) return false;
        return (a[10] & 0xff) == 0xff && (a[11] & 0xff) == 0xff;
    }
}
