package org.smarthost.protocol.client;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.smarthost.config.tables.LookupException;
import org.smarthost.config.tables.MailAddrFind;
import org.smarthost.config.tables.Maps;
import org.smarthost.protocol.sasl.SaslSecurityOptions;

/**
 * SMTP AUTH in the SMTP/LMTP client (RFC 4954), as Postfix's smtp(8) does it with
 * {@code smtp_sasl_auth_enable = yes} (lmtp_ names for LMTP):
 *
 * <ul>
 * <li>After the EHLO (after the second EHLO when STARTTLS was used), and only when the server
 *     offers AUTH: the server's mechanisms (also the old "AUTH=" form) pass
 *     smtp_sasl_mechanism_filter, then smtp_sasl_security_options (smtp_sasl_tls_security_options
 *     in a TLS session), then the client's preference: CRAM-MD5, PLAIN, LOGIN.</li>
 * <li>The login comes from smtp_sasl_password_maps, keys in smtp_sasl_glue.c's order: with
 *     smtp_sender_dependent_authentication (SMTP only) the sender (address, address without
 *     extension, "@domain"), then the server's host name, then the nexthop as written
 *     ("[smtp.isp.example]:587", "example.com"). No entry: no AUTH, the mail goes on
 *     unauthenticated. A table that cannot answer defers the mail: never send without the
 *     login the administrator configured.</li>
 * <li>The AUTH command carries the initial response when the line stays within 512 octets
 *     (RFC 4954/5321); otherwise it follows the server's empty 334 challenge.</li>
 * <li>Failures end the session, worded as Postfix: "SASL authentication failed; server X said:
 *     535 ..." (5xx made 4xx by smtp_sasl_auth_soft_bounce, the default), "SASL authentication
 *     failed; cannot authenticate to server X: no mechanism available" (after Cyrus' warning
 *     "SASL authentication failure: No worthy mechs found"), ...</li>
 * </ul>
 *
 * The password is never logged.
 */
public final class ClientSasl {

    /** SASL off: {@code smtp_sasl_auth_enable = no}. */
    public static final ClientSasl NONE = new ClientSasl(false, Maps.empty("smtp_sasl_password_maps"),
            SaslSecurityOptions.NONE, SaslSecurityOptions.NONE, null, false, true, "", null);

    /** RFC 5321's longest command line, CRLF included. */
    static final int LINE_LIMIT = 512;
    private static final int MAX_STEPS = 100;

    private final boolean enabled;
    private final Maps passwordMaps;
    private final SaslSecurityOptions options;
    private final SaslSecurityOptions tlsOptions;
    private final Predicate<String> mechanismFilter;
    private final boolean senderDependent;
    private final boolean softBounce;
    private final String recipientDelimiter;
    private final Logger log;

    /**
     * @param passwordMaps       smtp_sasl_password_maps
     * @param options            smtp_sasl_security_options
     * @param tlsOptions         smtp_sasl_tls_security_options
     * @param mechanismFilter    smtp_sasl_mechanism_filter as a match on a mechanism name, or null for none
     * @param senderDependent    smtp_sender_dependent_authentication (never for LMTP, as in Postfix)
     * @param softBounce         smtp_sasl_auth_soft_bounce
     * @param recipientDelimiter recipient_delimiter, for the sender key without its extension
     */
    public ClientSasl(boolean enabled, Maps passwordMaps, SaslSecurityOptions options, SaslSecurityOptions tlsOptions,
                      Predicate<String> mechanismFilter, boolean senderDependent, boolean softBounce,
                      String recipientDelimiter, Logger log) {
        this.enabled = enabled;
        this.passwordMaps = passwordMaps;
        this.options = options;
        this.tlsOptions = tlsOptions;
        this.mechanismFilter = mechanismFilter;
        this.senderDependent = senderDependent;
        this.softBounce = softBounce;
        this.recipientDelimiter = recipientDelimiter == null ? "" : recipientDelimiter;
        this.log = log;
    }

    public boolean enabled() { return enabled; }

    /**
     * The login for a server, in Postfix's key order (see the class comment).
     *
     * @param sender the envelope sender ("" for the null sender: no sender key)
     * @param host   the server's host name (the MX host, or the host of "[host]")
     * @param dest   the nexthop as written in relayhost or the transport
     * @throws LookupException when a table cannot answer
     */
    public Optional<SaslCredentials> credentials(String sender, String host, String dest) {
        if (!enabled || passwordMaps.isEmpty()) return Optional.empty();
        Optional<String> value = Optional.empty();
        if (senderDependent && sender != null && !sender.isEmpty()) value = findSender(sender);
        if (value.isEmpty()) value = passwordMaps.find(host);
        if (value.isEmpty()) value = passwordMaps.find(dest);
        return value.map(SaslCredentials::parse);
    }

    /** mail_addr_find for the sender: user+ext@domain, user@domain, @domain. */
    private Optional<String> findSender(String sender) {
        return MailAddrFind.find(passwordMaps, sender, recipientDelimiter, domain -> false);
    }

    /**
     * What distinguishes sessions that may have logged in differently, for the connection cache
     * key: the sender with sender-dependent logins (as Postfix's smtp_key), otherwise nothing,
     * since the nexthop and the server already fix the login.
     */
    String cacheKey(String sender) {
        return enabled && senderDependent && !passwordMaps.isEmpty() ? "|sender=" + sender : "";
    }

    /**
     * Postfix's HAVE_SASL_CREDENTIALS: a server we would log in to is not tried again in
     * plaintext after a failed optional TLS handshake (it may offer AUTH over TLS only). A table
     * that cannot answer counts as "yes".
     */
    boolean hasCredentials(String sender, String host, String dest) {
        try {
            return credentials(sender, host, dest).isPresent();
        } catch (LookupException e) {
            return true;
        }
    }

    /** The server's mechanisms after smtp_sasl_mechanism_filter. */
    List<String> filter(List<String> offered) {
        if (mechanismFilter == null) return offered;
        List<String> kept = new ArrayList<>();
        for (String m : offered) {
            if (mechanismFilter.test(m)) kept.add(m);
        }
        return kept;
    }

    /** The client's choice among the (filtered) offered mechanisms under the session's security options. */
    Optional<ClientSaslMechanism> choose(List<String> offered, boolean tls) {
        SaslSecurityOptions opts = tls ? tlsOptions : options;
        for (ClientSaslMechanism m : ClientSaslMechanism.values()) {
            if (!m.admittedBy(opts)) continue;
            for (String o : offered) {
                if (o.toUpperCase(Locale.ROOT).equals(m.wireName())) return Optional.of(m);
            }
        }
        return Optional.empty();
    }

    /**
     * AUTH on a session that has just done its (last) EHLO: nothing when SASL is off, the server
     * offers no AUTH, or there is no login for it. Fails with a {@link SessionFailure}; the
     * session is then not reused.
     */
    CompletableFuture<Void> login(SmtpSession session, SmtpClientSettings settings, String sender, String dest) {
        List<String> offered = session.connection().features().auth();
        if (!enabled || offered == null) return CompletableFuture.completedFuture(null);
        Relay relay = session.relay();
        String stage = settings.lmtp() ? "performing the LHLO handshake" : "performing the EHLO handshake";
        List<String> mechanisms;
        try {
            mechanisms = filter(offered);
        } catch (LookupException e) {
            log.warn("warning: {}", e.getMessage());
            log.warn("warning: SASL mechanism filter failed for: '{}'", String.join(" ", offered));
            return CompletableFuture.failedFuture(new SessionFailure("4.3.0", "local data error while " + stage, null));
        }
        if (mechanisms.isEmpty()) {
            log.warn(offered.isEmpty() ? "warning: {} offered null AUTH mechanism list{}"
                    : "warning: {} offered no supported AUTH mechanisms: '{}'", relay, String.join(" ", offered));
        }
        Optional<SaslCredentials> login;
        try {
            login = credentials(sender, relay.hostname(), dest);
        } catch (LookupException e) {
            log.warn("warning: {}", e.getMessage());
            log.warn("warning: {} lookup error", passwordMaps.parameter());
            return CompletableFuture.failedFuture(new SessionFailure("4.3.0", "local data error while " + stage, null));
        }
        if (login.isEmpty()) return CompletableFuture.completedFuture(null); // strangers: no AUTH
        if (mechanisms.isEmpty()) {
            return CompletableFuture.failedFuture(new SessionFailure("4.7.0", "SASL authentication failed: server "
                    + relay.hostAddress() + " offered no compatible authentication mechanisms for this type of"
                    + " connection security", null));
        }
        Optional<ClientSaslMechanism> chosen = choose(mechanisms, session.connection().tlsActive());
        if (chosen.isEmpty()) {
            log.warn("warning: SASL authentication failure: No worthy mechs found");
            return CompletableFuture.failedFuture(cannot(relay, "no mechanism available"));
        }
        return new Exchange(session, settings, chosen.get(), login.get(), stage).start();
    }

    private static SessionFailure cannot(Relay relay, String why) {
        return new SessionFailure("4.7.0", "SASL authentication failed; cannot authenticate to server "
                + relay.hostAddress() + ": " + why, null);
    }

    /** One AUTH command and its 334 challenges. */
    private final class Exchange {
        private final SmtpSession session;
        private final SmtpClientSettings settings;
        private final ClientSaslMechanism mechanism;
        private final SaslCredentials login;
        private final String stage;
        private String deferredInitial;
        private int steps;
        private int challenges;

        Exchange(SmtpSession session, SmtpClientSettings settings, ClientSaslMechanism mechanism, SaslCredentials login,
                 String stage) {
            this.session = session;
            this.settings = settings;
            this.mechanism = mechanism;
            this.login = login;
            this.stage = stage;
        }

        CompletableFuture<Void> start() {
            String initial = mechanism.initialResponse(login);
            String command = "AUTH " + mechanism.wireName();
            if (initial != null && !initial.isEmpty()
                    && mechanism.wireName().length() + initial.length() + 8 <= LINE_LIMIT) {
                command += " " + initial;
            } else {
                deferredInitial = initial; // sent after the server's empty challenge
            }
            return send(command);
        }

        private CompletableFuture<Void> send(String line) {
            return session.command(line, settings.heloTimeout(), stage).thenCompose(this::reply);
        }

        private CompletableFuture<Void> reply(ServerReply reply) {
            Relay relay = session.relay();
            if (reply.code() / 100 == 2) return CompletableFuture.completedFuture(null);
            if (reply.code() / 100 != 3) {
                String dsn = reply.dsn();
                if (softBounce && dsn.startsWith("5")) dsn = "4" + dsn.substring(1);
                throw new SessionFailure(dsn, "SASL authentication failed; server " + relay.hostAddress()
                        + " said: " + reply.text(), reply.text());
            }
            if (++steps > MAX_STEPS) {
                throw new SessionFailure("4.3.0", "SASL authentication failed; authentication protocol loop with server "
                        + relay.hostAddress(), null);
            }
            String challenge = reply.lines().isEmpty() ? "" : reply.lines().get(0).trim();
            String response;
            if (deferredInitial != null) {
                if (!challenge.isEmpty()) {
                    // Postfix quotes its own pending response here; that would be the password.
                    throw new SessionFailure("4.7.0", "SASL authentication failed; non-empty initial "
                            + mechanism.wireName() + " challenge from server " + relay.hostAddress() + ": " + challenge,
                            null);
                }
                response = deferredInitial;
                deferredInitial = null;
            } else {
                try {
                    response = mechanism.respond(Base64.getDecoder().decode(challenge), challenges++, login);
                } catch (IllegalArgumentException | IllegalStateException e) {
                    throw cannot(relay, "bad protocol / cancel");
                }
            }
            return send(response);
        }
    }
}
