package org.smarthost.actors.resolve;

import java.util.Optional;
import java.util.function.Predicate;
import org.smarthost.config.tables.LookupException;
import org.smarthost.config.tables.MailAddrFind;
import org.smarthost.config.tables.Maps;

/**
 * sender_dependent_relayhost_maps and sender_dependent_default_transport_maps: per-sender
 * overrides of relayhost (relay and default address classes) and of default_transport
 * (default class), searched by the envelope sender as Postfix's mail_addr_find searches:
 * user+ext@domain, user@domain, then for a domain that is $myorigin or local (mydestination,
 * inet_interfaces, proxy_interfaces) user+ext and user, then @domain. Derived keys are not
 * asked of pattern tables. The null sender is looked up as
 * empty_address_relayhost_maps_lookup_key / empty_address_default_transport_maps_lookup_key
 * ("&lt;&gt;"). A value of "DUNNO" ends the search and keeps the global setting.
 *
 * @param relayhost               sender_dependent_relayhost_maps (may be empty)
 * @param defaultTransport        sender_dependent_default_transport_maps (may be empty)
 * @param nullRelayhostKey        empty_address_relayhost_maps_lookup_key
 * @param nullDefaultTransportKey empty_address_default_transport_maps_lookup_key
 * @param myorigin                myorigin: its local-parts are looked up bare, as for local domains
 * @param recipientDelimiter      recipient_delimiter ("" for none)
 */
public record SenderDependentMaps(Maps relayhost, Maps defaultTransport, String nullRelayhostKey,
                                  String nullDefaultTransportKey, String myorigin, String recipientDelimiter) {

    public SenderDependentMaps {
        if (relayhost == null) relayhost = Maps.empty("sender_dependent_relayhost_maps");
        if (defaultTransport == null) defaultTransport = Maps.empty("sender_dependent_default_transport_maps");
        if (nullRelayhostKey == null) nullRelayhostKey = "<>";
        if (nullDefaultTransportKey == null) nullDefaultTransportKey = "<>";
        if (myorigin == null) myorigin = "";
        if (recipientDelimiter == null) recipientDelimiter = "";
    }

    /** Neither table configured (Postfix's default). */
    public static SenderDependentMaps none() {
        return new SenderDependentMaps(null, null, "<>", "<>", "", "");
    }

    public boolean isEmpty() {
        return relayhost.isEmpty() && defaultTransport.isEmpty();
    }

    /** The key a sender is looked up with: the null sender has its own (configurable) key. */
    static String senderKey(String sender, String nullKey) {
        return sender == null || sender.isEmpty() ? nullKey : sender;
    }

    /**
     * Postfix's mail_addr_find() with the default strategy (full address, address without
     * extension, local-part if the domain is local, @domain).
     *
     * @throws LookupException when a table cannot answer before a match
     */
    static Optional<String> mailAddrFind(Maps maps, String address, String delimiter, String myorigin,
                                         Predicate<String> isLocalDomain) {
        return MailAddrFind.find(maps, address, delimiter, d -> d.equalsIgnoreCase(myorigin) || isLocalDomain.test(d));
    }
}
