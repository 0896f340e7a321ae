package org.smarthost.protocol.smtpd.restrictions;

/** permit_mynetworks: the client address matches $mynetworks. */
public final class PermitMynetworks implements SimpleRestriction {
    @Override public String name() { return "permit_mynetworks"; }

    @Override
    public Verdict check(RestrictionContext ctx) {
        return ctx.tables().mynetworks().matches(ctx.clientAddress()) ? Verdict.PERMIT : Verdict.DUNNO;
    }
}
