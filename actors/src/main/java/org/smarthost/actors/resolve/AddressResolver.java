package org.smarthost.actors.resolve;

/**
 * The one place a recipient is mapped to a transport and nexthop (trivial-rewrite's resolve
 * service). The queue manager asks this for every recipient; later stages (transport_maps,
 * relocated_maps, sender-dependent maps) are {@link ResolveStage}s chained after the class
 * resolver by {@link ResolverChain}.
 */
public interface AddressResolver {

    /**
     * Resolve one recipient in internal (unquoted) form. Never returns null. The sender is
     * what sender_dependent_relayhost_maps and sender_dependent_default_transport_maps key on
     * ("" for the null sender).
     */
    Resolution resolve(String sender, String recipient);

    /** For callers without a sender (address verification, tools). */
    default Resolution resolve(String recipient) {
        return resolve("", recipient);
    }
}
