package org.smarthost.protocol.smtpd.restrictions;

/** defer_unauth_destination: like reject_unauth_destination with relay_domains_reject_code - 100 and 4.7.1. */
public final class DeferUnauthDestination extends RejectUnauthDestination {
    @Override public String name() { return "defer_unauth_destination"; }

    @Override protected int code(RestrictionContext ctx) { return ctx.tables().settings().access().relayDomainsRejectCode() - 100; }

    @Override protected String dsn() { return "4.7.1"; }
}
