package org.smarthost.protocol.smtpd.restrictions;

/** reject_non_fqdn_recipient: non_fqdn_reject_code (504) when the RCPT TO domain is not fully qualified. */
public final class RejectNonFqdnRecipient implements SimpleRestriction {
    @Override public String name() { return "reject_non_fqdn_recipient"; }

    @Override
    public Verdict check(RestrictionContext ctx) {
        if (ctx.recipient() == null) return Verdict.DUNNO;
        return NonFqdn.check(ctx, ctx.recipient(), "Recipient address");
    }
}
