package org.smarthost.protocol.smtpd.restrictions;

import org.smarthost.config.tables.LookupException;

/** permit_auth_destination: the recipient is local or in $relay_domains. */
public final class PermitAuthDestination implements SimpleRestriction {
    @Override public String name() { return "permit_auth_destination"; }

    @Override
    public Verdict check(RestrictionContext ctx) {
        if (ctx.recipient() == null) return Verdict.DUNNO;
        try {
            return ctx.tables().isAuthorizedDestination(ctx.recipient()) ? Verdict.PERMIT : Verdict.DUNNO;
        } catch (LookupException e) {
            return ctx.lookupRetry(e);
        }
    }
}
