package org.smarthost.protocol.smtpd.restrictions;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Restriction names known to smtpd. Built-ins are registered here; later features (access
 * maps, DNSBLs, policy services) {@link #register} theirs. Parameterized restrictions such as
 * "check_client_access type:table" will need a factory taking the next list element.
 */
public final class Restrictions {

    private final Map<String, Restriction> byName = new ConcurrentHashMap<>();

    public static Restrictions builtin() {
        Restrictions r = new Restrictions();
        for (Restriction x : List.of(new Permit(), new Reject(), new Defer(), new PermitMynetworks(),
                new PermitSaslAuthenticated(), new PermitAuthDestination(), new RejectUnauthDestination(),
                new DeferUnauthDestination(), new RejectNonFqdnRecipient(), new RejectNonFqdnSender(),
                new RejectUnauthPipelining(), new RejectMultiRecipientBounce())) {
            r.register(x);
        }
        return r;
    }

    public Restrictions register(Restriction restriction) {
        byName.put(restriction.name().toLowerCase(Locale.ROOT), restriction);
        return this;
    }

    /** Postfix compares restriction names case-insensitively. */
    public Optional<Restriction> lookup(String name) {
        return Optional.ofNullable(byName.get(name.toLowerCase(Locale.ROOT)));
    }
}
