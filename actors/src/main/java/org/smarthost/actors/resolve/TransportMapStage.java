package org.smarthost.actors.resolve;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.smarthost.config.tables.LookupException;
import org.smarthost.config.tables.Maps;
import org.smarthost.config.tables.ParentDomains;
import org.smarthost.config.tables.RecipientDelimiter;

/**
 * transport_maps (transport(5)): per-recipient or per-domain override of transport and/or
 * nexthop. Keys in Postfix's order: user+ext@domain (every table), user@domain, domain, its
 * parent domains (".parent", or "parent" when transport_maps is in
 * parent_domain_matches_subdomains), then the "*" wildcard; derived keys are not asked of
 * regexp, pcre or cidr tables. Results follow transport(5)'s RESULT FORMAT: ":" changes nothing,
 * "transport:" resets the nexthop to the recipient domain, ":nexthop" keeps the transport.
 */
public final class TransportMapStage implements ResolveStage {

    private static final Logger log = LoggerFactory.getLogger("postfix/trivial-rewrite");

    private final Maps maps;
    private final boolean parentMatchesSubdomains;
    private final String recipientDelimiter;

    /**
     * @param maps                    the transport_maps tables
     * @param parentMatchesSubdomains "transport_maps" listed in parent_domain_matches_subdomains
     * @param recipientDelimiter      recipient_delimiter ("" for none)
     */
    public TransportMapStage(Maps maps, boolean parentMatchesSubdomains, String recipientDelimiter) {
        this.maps = maps;
        this.parentMatchesSubdomains = parentMatchesSubdomains;
        this.recipientDelimiter = recipientDelimiter == null ? "" : recipientDelimiter;
    }

    @Override
    public Resolution apply(Resolution current) {
        // The virtual alias class result (error:User unknown) is never overridden.
        if (current.addressClass() == AddressClass.VIRTUAL_ALIAS) return current;
        try {
            return find(current.recipient()).map(value -> applyEntry(current, value.trim())).orElse(current);
        } catch (LookupException e) {
            log.warn("warning: {}", e.getMessage());
            log.warn("warning: {} lookup failure", maps.parameter());
            return new Resolution(current.addressClass(), Resolution.RETRY, Resolution.RESOLVER_FAILURE,
                    current.recipient(), EnumSet.of(Resolution.Flag.FAIL));
        }
    }

    private Optional<String> find(String recipient) {
        int at = recipient.lastIndexOf('@');
        String domain = recipient.substring(at + 1).toLowerCase(Locale.ROOT);
        Optional<String> value = maps.find(recipient);
        String bare = RecipientDelimiter.strip(recipient, recipientDelimiter);
        if (value.isEmpty() && bare != null) value = maps.find(bare, true);
        for (String d : ParentDomains.of(domain, parentMatchesSubdomains)) {
            if (value.isPresent()) break;
            value = maps.find(d, true);
        }
        return value.isPresent() ? value : maps.find("*");
    }

    /** Applies one transport table value to a resolution (transport(5) RESULT FORMAT). */
    public static Resolution applyEntry(Resolution current, String value) {
        int colon = value.indexOf(':');
        String transport = colon < 0 ? value : value.substring(0, colon);
        String nexthop = colon < 0 ? "" : value.substring(colon + 1);
        if (transport.isEmpty() && nexthop.isEmpty()) return current;
        if (transport.isEmpty()) return current.withTransport(current.transport(), nexthop);
        return current.withTransport(transport, nexthop.isEmpty() ? current.domain() : nexthop);
    }
}
