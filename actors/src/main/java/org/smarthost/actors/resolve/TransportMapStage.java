package org.smarthost.actors.resolve;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * transport_maps (transport(5)): per-recipient or per-domain override of transport and/or
 * nexthop, looked up as user+ext@domain, user@domain, domain, parent domains, then "*".
 * Results follow transport(5)'s RESULT FORMAT: ":" changes nothing, "transport:" resets the
 * nexthop to the recipient domain, ":nexthop" keeps the transport.
 */
public final class TransportMapStage implements ResolveStage {

    private final TableLookup table;
    private final boolean parentMatchesSubdomains;
    private final String recipientDelimiter;

    /**
     * @param table                   the transport_maps table(s) as one lookup
     * @param parentMatchesSubdomains "transport_maps" listed in parent_domain_matches_subdomains
     * @param recipientDelimiter      recipient_delimiter ("" for none)
     */
    public TransportMapStage(TableLookup table, boolean parentMatchesSubdomains, String recipientDelimiter) {
        this.table = table;
        this.parentMatchesSubdomains = parentMatchesSubdomains;
        this.recipientDelimiter = recipientDelimiter == null ? "" : recipientDelimiter;
    }

    @Override
    public Resolution apply(Resolution current) {
        // The virtual alias class result (error:User unknown) is never overridden.
        if (current.addressClass() == AddressClass.VIRTUAL_ALIAS) return current;
        try {
            for (String key : keys(current.recipient())) {
                Optional<String> value = table.find(key);
                if (value.isPresent()) return applyEntry(current, value.get().trim());
            }
            return current;
        } catch (TableLookupException e) {
            org.slf4j.LoggerFactory.getLogger("postfix/trivial-rewrite").warn("warning: transport_maps lookup failure");
            return new Resolution(current.addressClass(), Resolution.RETRY, Resolution.RESOLVER_FAILURE,
                    current.recipient(), java.util.EnumSet.of(Resolution.Flag.FAIL));
        }
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

    private List<String> keys(String recipient) {
        List<String> keys = new ArrayList<>();
        int at = recipient.lastIndexOf('@');
        String local = recipient.substring(0, at);
        String domain = recipient.substring(at + 1).toLowerCase(java.util.Locale.ROOT);
        keys.add(recipient);
        if (!recipientDelimiter.isEmpty()) {
            int cut = -1;
            for (char c : recipientDelimiter.toCharArray()) {
                int i = local.indexOf(c);
                if (i > 0 && (cut < 0 || i < cut)) cut = i;
            }
            if (cut > 0) keys.add(local.substring(0, cut) + "@" + recipient.substring(at + 1));
        }
        keys.add(domain);
        for (int dot = domain.indexOf('.'); dot >= 0; dot = domain.indexOf('.', dot + 1)) {
            String parent = domain.substring(dot + 1);
            if (parent.isEmpty()) break;
            keys.add(parentMatchesSubdomains ? parent : "." + parent);
        }
        keys.add("*");
        return keys;
    }
}
