package org.smarthost.actors.resolve;

import java.util.EnumSet;
import java.util.Optional;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.smarthost.config.tables.LookupException;
import org.smarthost.config.tables.MailAddrFind;
import org.smarthost.config.tables.Maps;

/**
 * relocated_maps (relocated(5)): recipients that have moved bounce with
 * "5.1.6 User has moved to <new location>", whatever their address class. Runs last, after
 * transport_maps, as in trivial-rewrite. Keys as Postfix's mail_addr_find: user+ext@domain,
 * user@domain, then for local domains user+ext and user, then @domain.
 */
public final class RelocatedStage implements ResolveStage {

    private static final Logger log = LoggerFactory.getLogger("postfix/trivial-rewrite");

    private final Maps maps;
    private final Predicate<String> isLocalDomain;
    private final String recipientDelimiter;

    public RelocatedStage(Maps maps, Predicate<String> isLocalDomain, String recipientDelimiter) {
        this.maps = maps;
        this.isLocalDomain = isLocalDomain;
        this.recipientDelimiter = recipientDelimiter == null ? "" : recipientDelimiter;
    }

    @Override
    public Resolution apply(Resolution current) {
        String rcpt = current.recipient();
        try {
            return find(rcpt).map(where -> current.withTransport(Resolution.ERROR, "5.1.6 User has moved to " + where.trim()))
                    .orElse(current);
        } catch (LookupException e) {
            log.warn("warning: {}", e.getMessage());
            log.warn("warning: {} lookup failure", maps.parameter());
            return new Resolution(current.addressClass(), Resolution.RETRY, Resolution.RESOLVER_FAILURE, rcpt,
                    EnumSet.of(Resolution.Flag.FAIL));
        }
    }

    private Optional<String> find(String rcpt) {
        return MailAddrFind.find(maps, rcpt, recipientDelimiter, isLocalDomain);
    }
}
