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
            return lookupFailure(ctx, e);
        }
    }

    /**
     * mydestination or relay_domains names a table that cannot answer: Postfix's smtpd gets
     * RESOLVE_FLAG_FAIL from trivial-rewrite and answers with reject_dict_retry's reply.
     */
    static Verdict lookupFailure(RestrictionContext ctx, LookupException e) {
        ctx.tables().log().warn("warning: {}", e.getMessage());
        return ctx.reject(451, "4.3.0", "<" + ctx.recipient() + ">: Temporary lookup failure");
    }
}
