package org.smarthost.protocol.smtpd.restrictions;

/**
 * reject_multi_recipient_bounce: mail from the null sender to more than one recipient. At RCPT
 * time that is any recipient after the first; in smtpd_data_restrictions, a transaction that
 * has more than one ($multi_recipient_bounce_reject_code, 5.5.3, as Postfix).
 */
public final class RejectMultiRecipientBounce implements SimpleRestriction {
    @Override public String name() { return "reject_multi_recipient_bounce"; }

    @Override
    public Verdict check(RestrictionContext ctx) {
        if (ctx.sender() == null || !ctx.sender().isEmpty()) return Verdict.DUNNO;
        if (ctx.recipientCount() <= (ctx.dataStage() ? 1 : 0)) return Verdict.DUNNO;
        return ctx.reject(ctx.tables().settings().access().multiRecipientBounceRejectCode(), "5.5.3",
                "<" + ctx.replyName() + ">: " + ctx.replyClass() + " rejected: Multi-recipient bounce");
    }
}
