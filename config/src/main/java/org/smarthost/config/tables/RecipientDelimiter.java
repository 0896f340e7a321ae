package org.smarthost.config.tables;

import java.util.Locale;

/** recipient_delimiter: the address extension that table lookups try without (Postfix's strip_addr). */
public final class RecipientDelimiter {

    private RecipientDelimiter() {
    }

    /**
     * The address without its extension (user+ext@domain → user@domain), or null when it has
     * none. As Postfix's strip_addr: the localpart is cut at the first delimiter character, not
     * when that leaves it empty, and never for postmaster, MAILER-DAEMON, double-bounce, or
     * (when "-" is a delimiter, owner_request_special = yes) owner-foo and foo-request.
     */
    public static String strip(String address, String delimiters) {
        if (delimiters.isEmpty()) return null;
        int at = address.lastIndexOf('@');
        String local = at < 0 ? address : address.substring(0, at);
        String lower = local.toLowerCase(Locale.ROOT);
        if (lower.equals("postmaster") || lower.equals("mailer-daemon") || lower.equals("double-bounce")) return null;
        if (delimiters.indexOf('-') >= 0 && (lower.startsWith("owner-")
                || (lower.length() > 8 && lower.endsWith("-request")))) return null;
        int cut = -1;
        for (int i = 0; i < local.length(); i++) {
            if (delimiters.indexOf(local.charAt(i)) >= 0) {
                cut = i;
                break;
            }
        }
        if (cut <= 0) return null;
        return local.substring(0, cut) + (at < 0 ? "" : address.substring(at));
    }
}
