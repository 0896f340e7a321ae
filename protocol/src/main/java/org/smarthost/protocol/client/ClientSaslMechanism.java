package org.smarthost.protocol.client;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.smarthost.protocol.sasl.SaslSecurityOptions;

/**
 * The SASL mechanisms smarthost's SMTP/LMTP client speaks, in its order of preference (the
 * first one the server offers and the security options admit is used). Each has the security
 * properties Cyrus SASL gives it, against which smtp_sasl_security_options are checked: PLAIN
 * and LOGIN send the password in the clear ("noplaintext" removes them); none of the three is
 * anonymous, and all are open to active and dictionary attacks.
 *
 * <p>Responses are base64 text, as they go on the wire; challenges arrive as base64 text.
 */
public enum ClientSaslMechanism {

    /** RFC 2195: the server's challenge keyed with the password (HMAC-MD5). */
    CRAM_MD5("CRAM-MD5", false) {
        @Override String initialResponse(SaslCredentials c) { return null; }

        @Override String respond(byte[] challenge, int step, SaslCredentials c) {
            if (step > 0) throw new IllegalStateException("extra CRAM-MD5 challenge");
            try {
                Mac mac = Mac.getInstance("HmacMD5");
                mac.init(new SecretKeySpec(c.password().getBytes(StandardCharsets.UTF_8), "HmacMD5"));
                byte[] digest = mac.doFinal(challenge);
                StringBuilder hex = new StringBuilder(c.username()).append(' ');
                for (byte b : digest) hex.append(String.format("%02x", b & 0xff));
                return encode(hex.toString());
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("HmacMD5 is not available", e);
            }
        }
    },

    /** RFC 4616: "authzid NUL authcid NUL password" as the initial response (no authzid). */
    PLAIN("PLAIN", true) {
        @Override String initialResponse(SaslCredentials c) {
            return encode("\0" + c.username() + "\0" + c.password());
        }

        @Override String respond(byte[] challenge, int step, SaslCredentials c) {
            // Only after an "AUTH PLAIN" without the initial response, to the empty challenge.
            if (step > 0) throw new IllegalStateException("extra PLAIN challenge");
            return initialResponse(c);
        }
    },

    /** The draft LOGIN mechanism: the user name, then the password, each on request. */
    LOGIN("LOGIN", true) {
        @Override String initialResponse(SaslCredentials c) { return null; }

        @Override String respond(byte[] challenge, int step, SaslCredentials c) {
            // Servers prompt "Username:" then "Password:"; like Cyrus, the prompts' text is not read.
            return switch (step) {
                case 0 -> encode(c.username());
                case 1 -> encode(c.password());
                default -> throw new IllegalStateException("extra LOGIN challenge");
            };
        }
    };

    private final String wireName;
    private final boolean plaintext;

    ClientSaslMechanism(String wireName, boolean plaintext) {
        this.wireName = wireName;
        this.plaintext = plaintext;
    }

    /** The name in EHLO's AUTH list and on the AUTH command line. */
    public String wireName() { return wireName; }

    /** Whether {@code options} allow this mechanism. */
    public boolean admittedBy(SaslSecurityOptions options) {
        return options.admits(plaintext, true, true, false, false, false);
    }

    /** The base64 initial response, or null when the mechanism waits for the server's challenge. */
    abstract String initialResponse(SaslCredentials c);

    /**
     * The base64 response to the {@code step}-th challenge (0-based, not counting the empty one
     * answered with a deferred initial response).
     *
     * @throws IllegalStateException when the server sends more challenges than the mechanism has steps
     */
    abstract String respond(byte[] challenge, int step, SaslCredentials c);

    public static Optional<ClientSaslMechanism> byName(String name) {
        String upper = name.toUpperCase(Locale.ROOT);
        for (ClientSaslMechanism m : values()) {
            if (m.wireName.equals(upper)) return Optional.of(m);
        }
        return Optional.empty();
    }

    private static String encode(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }
}
