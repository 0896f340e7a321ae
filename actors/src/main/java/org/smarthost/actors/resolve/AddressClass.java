package org.smarthost.actors.resolve;

/**
 * Postfix address classes (ADDRESS_CLASS_README): the domain of a recipient decides which
 * class it falls in, and the class decides the default transport and nexthop.
 */
public enum AddressClass {
    /** Domain in mydestination, or a [literal] of inet_interfaces/proxy_interfaces: local_transport. */
    LOCAL,
    /** Domain in virtual_alias_domains with no virtual_alias_maps match: error, "User unknown". */
    VIRTUAL_ALIAS,
    /** Domain in virtual_mailbox_domains: virtual_transport. */
    VIRTUAL_MAILBOX,
    /** Domain in relay_domains: relay_transport. */
    RELAY,
    /** Anything else: default_transport. */
    DEFAULT
}
