package org.smarthost.protocol.smtpd.restrictions;

/** defer_if_permit: 450 4.7.0 "defer_if_permit requested" if the restrictions end up permitting. */
public final class DeferIfPermit implements SimpleRestriction {
    @Override public String name() { return "defer_if_permit"; }

    @Override
    public Verdict check(RestrictionContext ctx) {
        return new Verdict.DeferIfPermit(((Verdict.Reject) ctx.reject(450, "4.7.0", "<" + ctx.replyName() + ">: "
                + ctx.replyClass() + " rejected: defer_if_permit requested")).reply());
    }
}
