package org.smarthost.protocol.smtpd.restrictions;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Restriction names known to smtpd, each with the factory that builds it from the list
 * elements that follow it ({@link RestrictionFactory}). Built-ins are registered here; later
 * features (DNSBLs, policy services) {@link #register} theirs. User-defined restriction classes
 * (smtpd_restriction_classes) are not in here: {@link RestrictionEngine} resolves them.
 */
public final class Restrictions {

    private final Map<String, RestrictionFactory> byName = new ConcurrentHashMap<>();

    public static Restrictions builtin() {
        Restrictions r = new Restrictions();
        for (Restriction x : List.of(new Permit(), new Reject(), new Defer(), new PermitMynetworks(),
                new PermitSaslAuthenticated(), new PermitAuthDestination(), new RejectUnauthDestination(),
                new DeferUnauthDestination(), new RejectNonFqdnRecipient(), new RejectNonFqdnSender(),
                new RejectUnauthPipelining(), new RejectMultiRecipientBounce(), new DeferIfPermit(),
                new DeferIfReject())) {
            r.register(x);
        }
        for (Restriction x : SenderLoginMismatch.all()) r.register(x);
        for (AccessCheck.Kind kind : AccessCheck.Kind.values()) r.register(AccessCheck.factory(kind));
        return r;
    }

    /** A restriction without arguments. */
    public Restrictions register(Restriction restriction) {
        return register(new RestrictionFactory() {
            @Override public String name() { return restriction.name(); }
            @Override public Restriction create(Arguments args, SmtpdTables tables) { return restriction; }
        });
    }

    public Restrictions register(RestrictionFactory factory) {
        byName.put(factory.name().toLowerCase(Locale.ROOT), factory);
        return this;
    }

    /** Postfix compares restriction names case-insensitively. */
    public Optional<RestrictionFactory> lookup(String name) {
        return Optional.ofNullable(byName.get(name.toLowerCase(Locale.ROOT)));
    }
}
