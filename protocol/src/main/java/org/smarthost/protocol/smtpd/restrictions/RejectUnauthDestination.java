package org.smarthost.protocol.smtpd.restrictions;

import org.smarthost.config.tables.LookupException;

/**
 * reject_unauth_destination: relay_domains_reject_code (554) "Relay access denied" unless the
 * recipient is local or in $relay_domains. {@link DeferUnauthDestination} is the same test
 * with the code one class lower, as in Postfix.
 */
public class RejectUnauthDestination implements SimpleRestriction {
    @Override public String name() { return "reject_unauth_destination"; }

    protected int code(RestrictionContext ctx) { return ctx.tables().settings().access().relayDomainsRejectCode(); }

    protected String dsn() { return "5.7.1"; }

    @Override
    public Verdict check(RestrictionContext ctx) {
        if (ctx.recipient() == null) return Verdict.DUNNO;
        try {
            if (ctx.tables().isAuthorizedDestination(ctx.recipient())) return Verdict.DUNNO;
        } catch (LookupException e) {
            return ctx.lookupRetry(e);
        }
        return ctx.reject(code(ctx), dsn(), "<" + ctx.recipient() + ">: Relay access denied");
    }
}
