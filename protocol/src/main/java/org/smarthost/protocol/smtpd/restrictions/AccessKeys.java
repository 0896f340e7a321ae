package org.smarthost.protocol.smtpd.restrictions;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.smarthost.config.tables.ParentDomains;
import org.smarthost.config.tables.RecipientDelimiter;

/**
 * The lookup keys of access(5) tables, in Postfix's order. A key derived from the real one (a
 * parent domain, a shorter network, "user@", the address without its extension) is
 * {@link Key#partial() partial}: pattern tables (regexp, pcre, cidr) are asked the whole string
 * only, as Postfix asks them.
 */
public final class AccessKeys {

    private AccessKeys() {
    }

    /** One lookup key; {@code partial} keys are not asked of pattern tables. */
    public record Key(String key, boolean partial) {
    }

    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");

    /**
     * A host or domain name (client hostname, HELO name, ETRN domain): the name, then its
     * parent domains, as "parent" when smtpd_access_maps is in parent_domain_matches_subdomains
     * ({@code parentStyle}), else as ".parent". A numerical name (an IP address) has no parents.
     * Postfix's check_domain_access.
     */
    public static List<Key> domain(String name, boolean parentStyle) {
        List<Key> keys = new ArrayList<>();
        if (name.isEmpty()) return keys;
        if (validHostaddr(name)) return List.of(new Key(name, false));
        for (String d : ParentDomains.of(name, parentStyle)) keys.add(new Key(d, !keys.isEmpty()));
        return keys;
    }

    /**
     * A client address: the address, then its networks, shortening at the last "." (IPv4:
     * 1.2.3.4, 1.2.3, 1.2, 1) or ":" (IPv6: 2001:db8::1, 2001:db8:, 2001:db8, 2001).
     * Postfix's check_addr_access.
     */
    public static List<Key> address(String addr) {
        List<Key> keys = new ArrayList<>();
        char delim = addr.indexOf(':') >= 0 ? ':' : '.';
        String a = addr;
        boolean partial = false;
        while (true) {
            keys.add(new Key(a, partial));
            int cut = a.lastIndexOf(delim);
            if (cut < 0) break;
            a = a.substring(0, cut);
            partial = true;
        }
        return keys;
    }

    /**
     * A sender or recipient address, Postfix's check_mail_access: user+ext@domain, user@domain
     * (extension removed with recipient_delimiter), domain, its parent domains ("parent" or
     * ".parent" as for {@link #domain}), then user+ext@ and user@.
     *
     * @param delimiters recipient_delimiter: each character starts an extension ("" for none)
     */
    public static List<Key> mail(String address, String delimiters, boolean parentStyle) {
        List<Key> keys = new ArrayList<>();
        add(keys, address, false);
        String bare = RecipientDelimiter.strip(address, delimiters);
        if (bare != null) add(keys, bare, true);
        int at = address.lastIndexOf('@');
        if (at >= 0) {
            for (String d : ParentDomains.of(address.substring(at + 1), parentStyle)) add(keys, d, true);
            add(keys, address.substring(0, at + 1), true);
            if (bare != null) add(keys, bare.substring(0, bare.lastIndexOf('@') + 1), true);
        }
        return keys;
    }

    /** Postfix's maps_find never looks up an empty key. */
    private static void add(List<Key> keys, String key, boolean partial) {
        if (!key.isEmpty()) keys.add(new Key(key, partial));
    }

    /** Postfix's valid_hostaddr: an IPv4 dotted quad or an IPv6 address, without brackets. */
    static boolean validHostaddr(String s) {
        var m = IPV4.matcher(s);
        if (m.matches()) {
            for (int i = 1; i <= 4; i++) if (Integer.parseInt(m.group(i)) > 255) return false;
            return true;
        }
        if (s.indexOf(':') < 0 || !s.matches("[0-9A-Fa-f:.]+")) return false;
        try {
            return InetAddress.getByName(s) instanceof Inet6Address;
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }
}
