package org.smarthost.config.tables;

import java.util.Optional;
import java.util.function.Predicate;

/**
 * The key order of Postfix's mail_addr_find() with its default strategy, for tables keyed by an
 * email address (relocated_maps, sender_dependent_*_maps, smtpd_sender_login_maps,
 * smtp_sasl_password_maps' sender keys): user+ext@domain, user@domain, then for a local domain
 * user+ext and user, then @domain. Only the first key is asked of pattern tables.
 */
public final class MailAddrFind {

    /** One lookup: the key, and whether it was derived from the address (pattern tables skip those). */
    @FunctionalInterface
    public interface Lookup {
        Optional<String> find(String key, boolean partial);
    }

    private MailAddrFind() {
    }

    /**
     * @param delimiters    recipient_delimiter
     * @param isLocalDomain whether a domain is $myorigin or local, so the bare local-part is a key too
     * @throws LookupException when a table cannot answer before a key is found
     */
    public static Optional<String> find(Lookup lookup, String address, String delimiters, Predicate<String> isLocalDomain) {
        Optional<String> value = lookup.find(address, false);
        if (value.isPresent()) return value;
        String bare = RecipientDelimiter.strip(address, delimiters);
        if (bare != null) {
            value = lookup.find(bare, true);
            if (value.isPresent()) return value;
        }
        int at = address.lastIndexOf('@');
        if (at < 0) return Optional.empty();
        String domain = address.substring(at + 1);
        if (isLocalDomain.test(domain)) {
            value = lookup.find(address.substring(0, at), true);
            if (value.isEmpty() && bare != null) value = lookup.find(bare.substring(0, bare.lastIndexOf('@')), true);
            if (value.isPresent()) return value;
        }
        return lookup.find(address.substring(at), true);
    }

    /** The same over a parameter's tables. */
    public static Optional<String> find(Maps maps, String address, String delimiters, Predicate<String> isLocalDomain) {
        return find(maps::find, address, delimiters, isLocalDomain);
    }
}
