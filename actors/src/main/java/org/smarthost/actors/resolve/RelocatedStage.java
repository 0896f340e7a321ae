package org.smarthost.actors.resolve;

import java.util.EnumSet;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * relocated_maps (relocated(5)): recipients that have moved bounce with
 * "5.1.6 User has moved to <new location>", whatever their address class. Runs last, after
 * transport_maps, as in trivial-rewrite. Lookup order: user@domain, user (local domains
 * only), @domain.
 */
public final class RelocatedStage implements ResolveStage {

    private final TableLookup table;
    private final Predicate<String> isLocalDomain;

    public RelocatedStage(TableLookup table, Predicate<String> isLocalDomain) {
        this.table = table;
        this.isLocalDomain = isLocalDomain;
    }

    @Override
    public Resolution apply(Resolution current) {
        String rcpt = current.recipient();
        int at = rcpt.lastIndexOf('@');
        try {
            Optional<String> moved = table.find(rcpt);
            if (moved.isEmpty() && isLocalDomain.test(rcpt.substring(at + 1))) moved = table.find(rcpt.substring(0, at));
            if (moved.isEmpty()) moved = table.find(rcpt.substring(at));
            return moved.map(where -> current.withTransport(Resolution.ERROR, "5.1.6 User has moved to " + where.trim()))
                    .orElse(current);
        } catch (TableLookupException e) {
            org.slf4j.LoggerFactory.getLogger("postfix/trivial-rewrite").warn("warning: relocated_maps lookup failure");
            return new Resolution(current.addressClass(), Resolution.RETRY, Resolution.RESOLVER_FAILURE, rcpt,
                    EnumSet.of(Resolution.Flag.FAIL));
        }
    }
}
