package org.smarthost.actors.resolve;

import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What trivial-rewrite(8) answers for one recipient: (transport, nexthop, recipient) plus
 * the address class and flags.
 *
 * @param addressClass class of the recipient domain
 * @param transport    master.cf service name, e.g. "smtp", "relay", "local", "error"
 * @param nexthop      transport-specific destination; for error/retry/discard the reason text
 * @param recipient    final recipient after stripping local domains and routing operators
 * @param flags        resolver flags (Postfix RESOLVE_FLAG_*)
 */
public record Resolution(AddressClass addressClass, String transport, String nexthop, String recipient,
                         Set<Flag> flags) {

    /** Postfix's resolver flags. */
    public enum Flag {
        /** Local-part still holds routing operators (@ ! %) for a remote domain. */
        ROUTED,
        /**
         * Bad address syntax (invalid domain, "user@", leading "-"): transport is error with
         * {@link #BAD_ADDRESS_SYNTAX}, so the recipient bounces as qmgr bounces it.
         */
        ERROR,
        /**
         * A lookup table failed: transport is retry with {@link #RESOLVER_FAILURE}, so the
         * recipient is deferred, never bounced or misrouted.
         */
        FAIL
    }

    public static final String ERROR = "error";
    public static final String DISCARD = "discard";
    public static final String RETRY = "retry";
    /** What qmgr bounces a {@link Flag#ERROR} recipient with. */
    public static final String BAD_ADDRESS_SYNTAX = "5.1.3 bad address syntax";
    /** What qmgr defers a {@link Flag#FAIL} recipient with. */
    public static final String RESOLVER_FAILURE = "4.3.0 address resolver failure";

    private static final Pattern DSN_DETAIL = Pattern.compile("^([245]\\.\\d{1,3}\\.\\d{1,3})\\s+(.*)$", Pattern.DOTALL);

    public Resolution {
        flags = Set.copyOf(flags);
    }

    public Resolution withTransport(String newTransport, String newNexthop) {
        return new Resolution(addressClass, newTransport, newNexthop, recipient, flags);
    }

    /** The recipient's domain (after the last '@'). */
    public String domain() {
        return recipient.substring(recipient.lastIndexOf('@') + 1);
    }

    /** Destination name the queue manager schedules by, as in Postfix: transport:nexthop. */
    public String destination() {
        return transport + ":" + nexthop;
    }

    public boolean isError() { return ERROR.equals(transport); }
    public boolean isDiscard() { return DISCARD.equals(transport); }
    public boolean isRetry() { return RETRY.equals(transport); }
    public boolean failed() { return flags.contains(Flag.FAIL); }

    /**
     * For error:/retry: nexthops, the RFC 3463 detail code the text starts with, or the
     * error(8)/retry(8) default (5.0.0 bounce, 4.0.0 defer).
     */
    public String reasonStatus() {
        Matcher m = DSN_DETAIL.matcher(nexthop);
        if (m.matches()) return m.group(1);
        return isRetry() ? "4.0.0" : "5.0.0";
    }

    /** For error:/retry:/discard: nexthops, the reason text without the detail code. */
    public String reasonText() {
        Matcher m = DSN_DETAIL.matcher(nexthop);
        return m.matches() ? m.group(2) : nexthop;
    }
}
