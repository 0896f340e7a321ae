package org.smarthost.protocol.smtpd.restrictions;

/** reject: $reject_code with Postfix's generic "Access denied" text. */
public final class Reject implements SimpleRestriction {
    @Override public String name() { return "reject"; }

    @Override
    public Verdict check(RestrictionContext ctx) {
        return ctx.reject(ctx.tables().settings().access().rejectCode(), "5.7.1",
                "<" + ctx.replyName() + ">: " + ctx.replyClass() + " rejected: Access denied");
    }
}
