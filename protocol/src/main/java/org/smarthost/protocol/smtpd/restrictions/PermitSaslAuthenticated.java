package org.smarthost.protocol.smtpd.restrictions;

/** permit_sasl_authenticated: the client logged in with AUTH. */
public final class PermitSaslAuthenticated implements SimpleRestriction {
    @Override public String name() { return "permit_sasl_authenticated"; }

    @Override
    public Verdict check(RestrictionContext ctx) {
        return ctx.saslUsername() != null ? Verdict.PERMIT : Verdict.DUNNO;
    }
}
