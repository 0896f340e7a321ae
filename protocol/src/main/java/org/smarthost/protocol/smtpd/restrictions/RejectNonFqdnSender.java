package org.smarthost.protocol.smtpd.restrictions;

/** reject_non_fqdn_sender: non_fqdn_reject_code (504) when the MAIL FROM domain is not fully qualified. */
public final class RejectNonFqdnSender implements SimpleRestriction {
    @Override public String name() { return "reject_non_fqdn_sender"; }

    @Override
    public Verdict check(RestrictionContext ctx) {
        if (ctx.sender() == null || ctx.sender().isEmpty()) return Verdict.DUNNO;
        return NonFqdn.check(ctx, ctx.sender(), "Sender address");
    }
}
