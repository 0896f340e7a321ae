package org.smarthost.protocol.smtpd.restrictions;

/** defer_if_reject: 450 4.7.0 "defer_if_reject requested" instead of a later 5xx reject of the same list. */
public final class DeferIfReject implements SimpleRestriction {
    @Override public String name() { return "defer_if_reject"; }

    @Override
    public Verdict check(RestrictionContext ctx) {
        return new Verdict.DeferIfReject(((Verdict.Reject) ctx.reject(450, "4.7.0", "<" + ctx.replyName() + ">: "
                + ctx.replyClass() + " rejected: defer_if_reject requested")).reply());
    }
}
