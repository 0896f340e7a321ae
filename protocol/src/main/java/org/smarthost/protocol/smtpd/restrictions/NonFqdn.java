package org.smarthost.protocol.smtpd.restrictions;

import java.util.regex.Pattern;

/** Postfix's reject_non_fqdn_address, shared by the sender and recipient restrictions. */
final class NonFqdn {

    private static final Pattern LABEL = Pattern.compile("[\\p{L}\\p{N}]([\\p{L}\\p{N}-]*[\\p{L}\\p{N}])?");

    private NonFqdn() {
    }

    static Verdict check(RestrictionContext ctx, String address, String replyClass) {
        int at = address.lastIndexOf('@');
        String domain = at < 0 ? "" : address.substring(at + 1);
        if (domain.startsWith("[") && domain.endsWith("]")) return Verdict.DUNNO;
        if (domain.endsWith(".") && !domain.endsWith("..")) domain = domain.substring(0, domain.length() - 1);
        if (!domain.contains(".") || !validHostname(domain)) {
            return ctx.reject(ctx.tables().settings().access().nonFqdnRejectCode(), "4.5.2",
                    "<" + address + ">: " + replyClass + " rejected: need fully-qualified address");
        }
        return Verdict.DUNNO;
    }

    private static boolean validHostname(String d) {
        if (d.isEmpty() || d.length() > 255) return false;
        for (String label : d.split("\\.", -1)) {
            if (label.isEmpty() || label.length() > 63 || !LABEL.matcher(label).matches()) return false;
        }
        return true;
    }
}
