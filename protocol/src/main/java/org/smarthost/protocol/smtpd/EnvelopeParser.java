package org.smarthost.protocol.smtpd;

import static org.smarthost.protocol.text.Utf8Names.isAscii;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Parses the arguments of MAIL FROM and RCPT TO the way Postfix smtpd does (lenient
 * strict_rfc821_envelopes = no): "FROM:&lt;addr&gt;", "FROM: &lt;addr&gt;" and "FROM:addr" are
 * accepted, a source route "@a,@b:user@c" is stripped, unquoted blanks or brackets inside the
 * address are bad syntax. Each method returns either the parsed value or the Postfix reply.
 */
public final class EnvelopeParser {

    public sealed interface Result<T> {
    }

    public record Ok<T>(T value) implements Result<T> {
    }

    /**
     * A rejected MAIL or RCPT argument; {@code illegalAddress} is the address as the client sent
     * it when its syntax was what failed (smtpd logs it as Postfix does), null otherwise.
     */
    public record Error<T>(SmtpReply reply, String illegalAddress) implements Result<T> {
    }

    /** {@code raw}: the address token as sent (with its brackets), for the log. */
    private record Split(String address, String raw, List<String> params) {
    }

    private EnvelopeParser() {
    }

    /**
     * {@code strictRfc821}: strict_rfc821_envelopes, the address must be in angle brackets.
     * {@code resolvable}: whether trivial-rewrite resolves a (non-empty) address without the
     * bad-syntax flag; Postfix's smtpd rejects it otherwise ({@link MessageReceiver#validAddress}).
     */
    public static Result<MailFrom> mail(String args, long messageSizeLimit, boolean smtputf8Enabled, boolean dsnEnabled,
                                        boolean strictRfc821, Predicate<String> resolvable) {
        Split sp = split(args, "FROM:");
        if (sp == null) return err(501, "5.5.4", "Syntax: MAIL FROM:<address>");
        String address = address(sp.address());
        if (address == null || strictRfc821 && !sp.raw().startsWith("<")
                || !address.isEmpty() && !resolvable.test(address))
            return illegal("5.1.7", "Bad sender address syntax", sp);
        long size = -1;
        String body = null, ret = null, envid = null;
        boolean utf8 = false;
        for (String p : sp.params()) {
            String u = p.toUpperCase(Locale.ROOT);
            if (u.equals("BODY=8BITMIME")) body = "8BITMIME";
            else if (u.equals("BODY=7BIT")) body = "7BIT";
            else if (u.startsWith("SIZE=")) {
                String v = p.substring(5);
                if (v.isEmpty() || !v.chars().allMatch(Character::isDigit))
                    return err(501, "5.5.4", "Bad message size syntax");
                try {
                    size = Long.parseLong(v);
                } catch (NumberFormatException e) {
                    return err(552, "5.3.4", "Message size exceeds file system imposed limit");
                }
            } else if (smtputf8Enabled && u.equals("SMTPUTF8")) utf8 = true;
            else if (u.startsWith("RET=")) {
                if (!dsnEnabled) return err(501, "5.7.1", "DSN support is disabled");
                String v = u.substring(4);
                if (ret != null || !(v.equals("FULL") || v.equals("HDRS")))
                    return err(501, "5.5.4", "Bad RET parameter syntax");
                ret = v;
            } else if (u.startsWith("ENVID=")) {
                if (!dsnEnabled) return err(501, "5.7.1", "DSN support is disabled");
                String v = envid == null ? Xtext.decode(p.substring(6)) : null;
                if (v == null || !v.chars().allMatch(c -> c == '\t' || (c >= 0x20 && c != 0x7f)))
                    return err(501, "5.5.4", "Bad ENVID parameter syntax");
                envid = v;
            } else return err(555, "5.5.4", "Unsupported option: " + p);
        }
        if (messageSizeLimit > 0 && size > messageSizeLimit)
            return err(552, "5.3.4", "Message size exceeds fixed limit");
        if (!utf8 && !isAscii(address))
            return err(553, "5.6.7", "Must declare SMTPUTF8 to send unicode address");
        return new Ok<>(new MailFrom(address, size, body, ret, envid, utf8));
    }

    public static Result<RcptTo> rcpt(String args, boolean smtputf8, boolean dsnEnabled, boolean strictRfc821,
                                      Predicate<String> resolvable) {
        Split sp = split(args, "TO:");
        if (sp == null) return err(501, "5.5.4", "Syntax: RCPT TO:<address>");
        String address = address(sp.address());
        if (address == null || address.isEmpty() || strictRfc821 && !sp.raw().startsWith("<")
                || !resolvable.test(address))
            return illegal("5.1.3", "Bad recipient address syntax", sp);
        Set<String> notify = new LinkedHashSet<>();
        boolean notifySeen = false;
        String orcpt = null;
        for (String p : sp.params()) {
            String u = p.toUpperCase(Locale.ROOT);
            if (u.startsWith("NOTIFY=")) {
                if (!dsnEnabled) return err(501, "5.7.1", "DSN support is disabled");
                if (notifySeen || !validNotify(u.substring(7), notify))
                    return err(501, "5.5.4", "Error: Bad NOTIFY parameter syntax");
                notifySeen = true;
            } else if (u.startsWith("ORCPT=")) {
                if (!dsnEnabled) return err(501, "5.7.1", "DSN support is disabled");
                String v = p.substring(6);
                int semi = v.indexOf(';');
                String decoded = semi > 0 ? Xtext.decode(v.substring(semi + 1)) : null;
                if (orcpt != null || decoded == null || decoded.indexOf('\0') >= 0)
                    return err(501, "5.5.4", "Error: Bad ORCPT parameter syntax");
                orcpt = v.substring(0, semi) + ";" + decoded;
            } else return err(555, "5.5.4", "Unsupported option: " + p);
        }
        if (!smtputf8 && !isAscii(address))
            return err(553, "5.6.7", "Must declare SMTPUTF8 to send unicode address");
        return new Ok<>(new RcptTo(address, notify, orcpt));
    }

    /** VRFY argument check: the same address syntax as RCPT; returns null when bad. */
    public static String vrfyAddress(String arg) {
        return address(arg.trim());
    }

    private static boolean validNotify(String v, Set<String> out) {
        for (String k : v.split(",", -1)) {
            if (!(k.equals("NEVER") || k.equals("SUCCESS") || k.equals("FAILURE") || k.equals("DELAY"))) return false;
            out.add(k);
        }
        return !(out.contains("NEVER") && out.size() > 1);
    }

    private static <T> Error<T> err(int code, String dsn, String text) {
        return new Error<>(SmtpReply.of(code, dsn, text), null);
    }

    private static <T> Error<T> illegal(String dsn, String text, Split sp) {
        return new Error<>(SmtpReply.of(501, dsn, text), sp.raw());
    }

    /** Splits "FROM:&lt;a@b&gt; K=V K=V"; null when the keyword or the address is missing. */
    private static Split split(String args, String keyword) {
        String a = args.stripLeading();
        if (a.length() < keyword.length() || !a.regionMatches(true, 0, keyword, 0, keyword.length())) return null;
        a = a.substring(keyword.length()).stripLeading();
        if (a.isEmpty()) return null;
        int end;
        if (a.charAt(0) == '<') {
            end = closingBracket(a);
            if (end < 0) return new Split("\u0000", a, List.of()); // unterminated: bad address syntax
            end++;
        } else {
            end = 0;
            while (end < a.length() && a.charAt(end) != ' ' && a.charAt(end) != '\t') end++;
        }
        String addr = a.substring(0, end);
        List<String> params = new ArrayList<>();
        for (String p : a.substring(end).trim().split("[ \t]+")) if (!p.isEmpty()) params.add(p);
        return new Split(addr, addr, params);
    }

    private static int closingBracket(String a) {
        boolean quoted = false;
        for (int i = 1; i < a.length(); i++) {
            char c = a.charAt(i);
            if (c == '\\') i++;
            else if (c == '"') quoted = !quoted;
            else if (c == '>' && !quoted) return i;
        }
        return -1;
    }

    /** The bare address, or null for bad syntax. */
    private static String address(String token) {
        String t = token;
        if (t.startsWith("<")) {
            if (!t.endsWith(">") || t.length() < 2) return null;
            t = t.substring(1, t.length() - 1);
        }
        // RFC 5321 source route: "@hosta,@hostb:user@domain" means user@domain.
        if (t.startsWith("@")) {
            int colon = t.indexOf(':');
            if (colon < 0) return null;
            t = t.substring(colon + 1);
        }
        boolean quoted = false;
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            if (c == '\\') { i++; continue; }
            if (c == '"') { quoted = !quoted; continue; }
            if (quoted) continue;
            if (c <= ' ' || c == 0x7f || c == '<' || c == '>' || c == '(' || c == ')' || c == ',' || c == ';') return null;
        }
        if (quoted) return null;
        return t;
    }
}
