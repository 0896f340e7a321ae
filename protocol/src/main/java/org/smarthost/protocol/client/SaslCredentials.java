package org.smarthost.protocol.client;

import java.util.Objects;

/**
 * A login from smtp_sasl_password_maps: the value "username:password" split at the first colon
 * (the password may itself contain colons, as Postfix allows). {@link #toString()} never shows
 * the password, so a credentials object can end up in a log line without leaking it.
 */
public record SaslCredentials(String username, String password) {

    public SaslCredentials {
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
    }

    /** A table value: "user:password"; without a colon the password is empty, as in Postfix. */
    public static SaslCredentials parse(String value) {
        int colon = value.indexOf(':');
        return colon < 0 ? new SaslCredentials(value, "")
                : new SaslCredentials(value.substring(0, colon), value.substring(colon + 1));
    }

    @Override public String toString() {
        return "SaslCredentials[username=" + username + ", password=(hidden)]";
    }
}
