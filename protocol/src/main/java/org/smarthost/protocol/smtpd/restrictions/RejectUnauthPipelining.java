package org.smarthost.protocol.smtpd.restrictions;

/** reject_unauth_pipelining: the client sent commands ahead of time where RFC 2920 forbids it. */
public final class RejectUnauthPipelining implements SimpleRestriction {
    @Override public String name() { return "reject_unauth_pipelining"; }

    @Override
    public Verdict check(RestrictionContext ctx) {
        if (!ctx.improperPipelining()) return Verdict.DUNNO;
        return ctx.reject(503, "5.5.0", "<" + ctx.replyName() + ">: " + ctx.replyClass()
                + " rejected: Improper use of SMTP command pipelining");
    }
}
