package org.smarthost.protocol.smtpd.restrictions;

import org.smarthost.protocol.smtpd.SmtpReply;

/** Result of one restriction, as in Postfix: OK (permit), DUNNO (next restriction), or a reply. */
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
}
