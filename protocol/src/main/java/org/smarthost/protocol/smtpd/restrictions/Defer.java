package org.smarthost.protocol.smtpd.restrictions;

/** defer: $defer_code with Postfix's "Try again later". */
public final class Defer implements SimpleRestriction {
    @Override public String name() { return "defer"; }

    @Override
    public Verdict check(RestrictionContext ctx) {
        return ctx.reject(ctx.tables().settings().access().deferCode(), "4.3.2",
                "<" + ctx.replyName() + ">: " + ctx.replyClass() + " rejected: Try again later");
    }
}
