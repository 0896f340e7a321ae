package org.smarthost.protocol.smtpd.restrictions;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** A restriction that decides without I/O. */
public interface SimpleRestriction extends Restriction {

    Verdict check(RestrictionContext ctx);

    @Override
    default CompletionStage<Verdict> evaluate(RestrictionContext ctx) {
        return CompletableFuture.completedFuture(check(ctx));
    }
}
