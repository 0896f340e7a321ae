package org.smarthost.protocol.sasl;

import java.util.Locale;

/**
 * Postfix's {@code smtpd_sasl_security_options} / {@code smtpd_sasl_tls_security_options}: which
 * mechanisms smtpd may offer. The "no" options exclude mechanisms with that property; the others
 * admit only mechanisms that have it.
 *
 * @param noplaintext    exclude mechanisms that send the password in the clear (PLAIN, LOGIN)
 * @param noactive       exclude mechanisms open to active (non-dictionary) attacks
 * @param nodictionary   exclude mechanisms open to passive dictionary attacks
 * @param noanonymous    exclude mechanisms that allow anonymous authentication
 * @param forwardSecrecy admit only mechanisms with forward secrecy
 * @param mutualAuth     admit only mechanisms that authenticate the server too
 */
public record SaslSecurityOptions(boolean noplaintext, boolean noactive, boolean nodictionary, boolean noanonymous,
                                  boolean forwardSecrecy, boolean mutualAuth) {

    /** No restriction (an empty value). */
    public static final SaslSecurityOptions NONE = new SaslSecurityOptions(false, false, false, false, false, false);

    /** Postfix's default for smtpd_sasl_security_options. */
    public static final SaslSecurityOptions DEFAULT = new SaslSecurityOptions(false, false, false, true, false, false);

    /**
     * Parses a list of option names separated by commas and/or whitespace, case-insensitively as
     * Postfix does; an empty value means no restriction.
     *
     * @throws IllegalArgumentException for an unknown name, with Postfix's text:
     *         {@code unknown SASL security options value "noplain" in "noanonymous, noplain"}
     */
    public static SaslSecurityOptions parse(String value) {
        boolean noplaintext = false, noactive = false, nodictionary = false, noanonymous = false;
        boolean forwardSecrecy = false, mutualAuth = false;
        for (String name : value.split("[, \t\r\n]+")) {
            switch (name.toLowerCase(Locale.ROOT)) {
                case "" -> { }
                case "noplaintext" -> noplaintext = true;
                case "noactive" -> noactive = true;
                case "nodictionary" -> nodictionary = true;
                case "noanonymous" -> noanonymous = true;
                case "forward_secrecy" -> forwardSecrecy = true;
                case "mutual_auth" -> mutualAuth = true;
                default -> throw new IllegalArgumentException(
                        "unknown SASL security options value \"" + name + "\" in \"" + value + "\"");
            }
        }
        return new SaslSecurityOptions(noplaintext, noactive, nodictionary, noanonymous, forwardSecrecy, mutualAuth);
    }

    /**
     * Whether a mechanism with these properties passes (Postfix's xsasl_dovecot_server_mech_filter):
     * it has every required property and none of the excluded ones.
     */
    public boolean admits(boolean plaintext, boolean active, boolean dictionary, boolean anonymous,
                          boolean hasForwardSecrecy, boolean hasMutualAuth) {
        return !(noplaintext && plaintext || noactive && active || nodictionary && dictionary
                || noanonymous && anonymous || forwardSecrecy && !hasForwardSecrecy || mutualAuth && !hasMutualAuth);
    }

    /** The options in main.cf syntax, e.g. "noplaintext, noanonymous" (empty for {@link #NONE}). */
    @Override public String toString() {
        StringBuilder sb = new StringBuilder();
        if (noplaintext) sb.append(", noplaintext");
        if (noactive) sb.append(", noactive");
        if (nodictionary) sb.append(", nodictionary");
        if (noanonymous) sb.append(", noanonymous");
        if (forwardSecrecy) sb.append(", forward_secrecy");
        if (mutualAuth) sb.append(", mutual_auth");
        return sb.length() == 0 ? "" : sb.substring(2);
    }
}
