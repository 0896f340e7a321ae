package org.smarthost.protocol.client;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Parses nexthop strings with Postfix's syntax (smtp(8) and lmtp(8) "DESTINATION SYNTAX"):
 * {@code domain}, {@code domain:port} (MX lookup), {@code [host]}, {@code [host]:port},
 * {@code [192.0.2.1]}, {@code [ipv6:2001:db8::1]:port} (no MX lookup), and for LMTP
 * {@code inet:host[:port]}, {@code inet:[address][:port]} and {@code unix:/path} (LMTP never
 * looks up MX records). Several destinations may be separated by comma or whitespace.
 */
public final class NexthopParser {

    private NexthopParser() { }

    /** @param defaultPort {@code smtp_tcp_port} (25) or {@code lmtp_tcp_port} (24) */
    public static List<Nexthop> parseList(String text, boolean lmtp, int defaultPort) {
        List<Nexthop> list = new ArrayList<>();
        for (String word : split(text)) list.add(parse(word, lmtp, defaultPort));
        if (list.isEmpty()) throw new IllegalArgumentException("empty nexthop destination");
        return list;
    }

    /** The destinations of a list as written, in order. */
    public static List<String> split(String text) {
        List<String> words = new ArrayList<>();
        for (String word : text.trim().split("[\\s,]+")) {
            if (!word.isEmpty()) words.add(word);
        }
        return words;
    }

    public static Nexthop parse(String text, boolean lmtp, int defaultPort) {
        String rest = text.trim();
        boolean mxLookup = !lmtp;
        String lower = rest.toLowerCase(Locale.ROOT);
        if (lower.startsWith("unix:")) {
            if (!lmtp) throw new IllegalArgumentException("unix: destination is for LMTP only: " + text);
            String path = rest.substring(5);
            if (path.isEmpty()) throw new IllegalArgumentException("missing pathname in destination: " + text);
            return new Nexthop.Unix(path);
        }
        if (lower.startsWith("inet:")) {
            rest = rest.substring(5);
        }
        String host;
        String portText = null;
        if (rest.startsWith("[")) {
            int close = rest.indexOf(']');
            if (close < 0) throw new IllegalArgumentException("missing \"]\" in destination: " + text);
            host = rest.substring(1, close);
            String after = rest.substring(close + 1);
            if (!after.isEmpty()) {
                if (!after.startsWith(":")) throw new IllegalArgumentException("garbage after \"]\" in destination: " + text);
                portText = after.substring(1);
            }
            mxLookup = false;
            if (host.regionMatches(true, 0, "ipv6:", 0, 5)) host = host.substring(5);
        } else {
            int colon = rest.lastIndexOf(':');
            if (colon >= 0) {
                host = rest.substring(0, colon);
                portText = rest.substring(colon + 1);
            } else {
                host = rest;
            }
            if (host.contains(":")) {
                throw new IllegalArgumentException("an IPv6 address must be formatted as [ipv6:address]: " + text);
            }
        }
        if (host.isEmpty()) throw new IllegalArgumentException("missing host in destination: " + text);
        int port = portText == null || portText.isEmpty() ? defaultPort : port(portText, text);
        return new Nexthop.Inet(host, port, mxLookup);
    }

    /** A port number or one of the well-known service names Postfix users write. */
    public static int port(String text, String context) {
        switch (text.toLowerCase(Locale.ROOT)) {
            case "smtp": return 25;
            case "lmtp": return 24;
            case "submission": return 587;
            case "smtps":
            case "submissions": return 465;
            default:
                try {
                    int port = Integer.parseInt(text);
                    if (port > 0 && port < 65536) return port;
                } catch (NumberFormatException e) {
                    // fall through to the error
                }
                throw new IllegalArgumentException("unknown service or bad port \"" + text + "\" in destination: " + context);
        }
    }
}
