package org.smarthost.protocol.smtpd.restrictions;

import org.smarthost.config.tables.LookupException;

/** permit_mynetworks: the client address matches $mynetworks. */
public final class PermitMynetworks implements SimpleRestriction {
    @Override public String name() { return "permit_mynetworks"; }

    @Override
    public Verdict check(RestrictionContext ctx) {
        try {
            return ctx.tables().mynetworks().matches(ctx.clientAddress()) ? Verdict.PERMIT : Verdict.DUNNO;
        } catch (LookupException e) {
            return ctx.lookupRetry(e);
        }
    }
}
