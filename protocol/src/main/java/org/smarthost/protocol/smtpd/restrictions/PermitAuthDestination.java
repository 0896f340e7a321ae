package org.smarthost.protocol.smtpd.restrictions;

/** permit_auth_destination: the recipient is local or in $relay_domains. */
public final class PermitAuthDestination implements SimpleRestriction {
    @Override public String name() { return "permit_auth_destination"; }

    @Override
    public Verdict check(RestrictionContext ctx) {
        if (ctx.recipient() == null) return Verdict.DUNNO;
        return ctx.tables().isAuthorizedDestination(ctx.recipient()) ? Verdict.PERMIT : Verdict.DUNNO;
    }
}
