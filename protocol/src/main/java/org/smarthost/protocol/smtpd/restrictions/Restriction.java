package org.smarthost.protocol.smtpd.restrictions;

import java.util.concurrent.CompletionStage;

/**
 * One Postfix smtpd restriction (permit_mynetworks, reject_unauth_destination, ...), looked up
 * by its name in {@link Restrictions}. Asynchronous so that DNS, policy-service and table
 * lookups can be added without changing smtpd.
 */
public interface Restriction {

    /** The name as written in main.cf. */
    String name();

    CompletionStage<Verdict> evaluate(RestrictionContext ctx);
}
