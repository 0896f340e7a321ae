package org.smarthost.protocol.smtpd.restrictions;

/** permit: accept, ending this restriction list. */
public final class Permit implements SimpleRestriction {
    @Override public String name() { return "permit"; }
    @Override public Verdict check(RestrictionContext ctx) { return Verdict.PERMIT; }
}
