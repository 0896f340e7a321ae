package org.smarthost.protocol.sasl;

import java.util.Objects;

/** What a step of a {@link SaslExchange} ended with. */
public sealed interface SaslStep {

    /** Authenticated as {@code username} (smtpd answers 235 and logs {@code sasl_username=}). */
    record Ok(String username) implements SaslStep {
        public Ok {
            Objects.requireNonNull(username, "username");
        }
    }

    /** The server wants more: send "334 " + {@code base64} (may be empty) and step with the client's answer. */
    record Challenge(String base64) implements SaslStep {
        public Challenge {
            Objects.requireNonNull(base64, "base64");
        }
    }

    /**
     * Authentication failed (smtpd answers 535 5.7.8). {@code reason} is the server's text, empty
     * when it gave none (Postfix then logs and answers "(reason unavailable)"); {@code username}
     * is the user the server looked up, or null (Postfix logs it as {@code sasl_username=}).
     */
    record Fail(String reason, String username) implements SaslStep {
        public Fail {
            Objects.requireNonNull(reason, "reason");
        }

        public Fail(String reason) {
            this(reason, null);
        }
    }

    /**
     * A temporary failure (smtpd answers 454 4.7.0): the server could not be reached or was lost,
     * did not answer in time, or reported an internal failure. {@code reason} says which, e.g.
     * "Connect to Dovecot auth socket 'private/auth' failed: Connection refused" (empty when the
     * server gave no text); {@code username} as for {@link Fail}.
     */
    record TempFail(String reason, String username) implements SaslStep {
        public TempFail {
            Objects.requireNonNull(reason, "reason");
        }

        public TempFail(String reason) {
            this(reason, null);
        }
    }
}
