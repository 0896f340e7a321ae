package org.smarthost.protocol.smtpd.restrictions;

import org.smarthost.protocol.smtpd.SmtpReply;

/**
 * Result of one restriction, as in Postfix: OK (permit), DUNNO (next restriction), a reply, or
 * one of Postfix's two "change our mind later" results, which the engine keeps and the list
 * goes on as after DUNNO.
 */
public sealed interface Verdict {

    Verdict PERMIT = new Permit();
    Verdict DUNNO = new Dunno();

    record Permit() implements Verdict {
    }

    record Dunno() implements Verdict {
    }

    /** A 4xx/5xx reply that ends the evaluation; logged by smtpd as "reject: ..." */
    record Reject(SmtpReply reply) implements Verdict {
    }

    /**
     * Postfix's defer_if_permit: if the restrictions end up accepting the request, answer this
     * (temporary) reply instead. The first one of a check is kept.
     */
    record DeferIfPermit(SmtpReply reply) implements Verdict {
    }

    /**
     * Postfix's defer_if_reject: if a later restriction of the same list (client, HELO, sender,
     * or relay+recipient) rejects with a 5xx reply, answer this (temporary) reply instead.
     */
    record DeferIfReject(SmtpReply reply) implements Verdict {
    }
}
