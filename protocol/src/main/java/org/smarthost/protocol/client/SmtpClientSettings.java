package org.smarthost.protocol.client;

import java.time.Duration;
import java.util.Set;

/**
 * The smtp(8)/lmtp(8) parameters this client honours, as plain values (the app reads them from
 * main.cf; for LMTP the {@code lmtp_*} names map onto the same fields).
 *
 * @param lmtp                       speak LMTP (LHLO, one reply per recipient after DATA)
 * @param heloName                   {@code smtp_helo_name} / {@code lmtp_lhlo_name}
 * @param myHostname                 {@code myhostname}: the host part of a UNIX-socket relay name
 * @param mxSessionLimit             {@code smtp_mx_session_limit}; 0 means no limit
 * @param skip5xxGreeting            {@code smtp_skip_5xx_greeting}
 * @param neverSendEhlo              {@code smtp_never_send_ehlo}
 * @param connectionCacheOnDemand    {@code smtp_connection_cache_on_demand}
 * @param connectionCacheDestinations {@code smtp_connection_cache_destinations} (nexthops as written)
 * @param connectionCacheTimeLimit   {@code smtp_connection_cache_time_limit}: idle time in the cache
 * @param connectionReuseTimeLimit   {@code smtp_connection_reuse_time_limit}
 * @param connectionReuseCountLimit  {@code smtp_connection_reuse_count_limit}; 0 means no limit
 * @param defaultPort                {@code smtp_tcp_port} (25) / {@code lmtp_tcp_port} (24)
 */
public record SmtpClientSettings(
        boolean lmtp,
        String heloName,
        String myHostname,
        Duration connectTimeout,
        Duration heloTimeout,
        Duration mailTimeout,
        Duration rcptTimeout,
        Duration dataInitTimeout,
        Duration dataXferTimeout,
        Duration dataDoneTimeout,
        Duration quitTimeout,
        Duration rsetTimeout,
        int mxSessionLimit,
        boolean skip5xxGreeting,
        boolean neverSendEhlo,
        boolean connectionCacheOnDemand,
        Set<String> connectionCacheDestinations,
        Duration connectionCacheTimeLimit,
        Duration connectionReuseTimeLimit,
        int connectionReuseCountLimit,
        int defaultPort) {

    public SmtpClientSettings {
        connectionCacheDestinations = Set.copyOf(connectionCacheDestinations);
    }

    /** Postfix 3.7's smtp_* defaults. */
    public static SmtpClientSettings smtpDefaults(String myHostname) {
        return new SmtpClientSettings(false, myHostname, myHostname,
                Duration.ofSeconds(30), Duration.ofSeconds(300), Duration.ofSeconds(300),
                Duration.ofSeconds(300), Duration.ofSeconds(120), Duration.ofSeconds(180),
                Duration.ofSeconds(600), Duration.ofSeconds(300), Duration.ofSeconds(20),
                2, true, false, true, Set.of(), Duration.ofSeconds(2), Duration.ofSeconds(300), 0, 25);
    }

    /** Postfix 3.7's lmtp_* defaults ({@code lmtp_connect_timeout = 0s}: the system's limit). */
    public static SmtpClientSettings lmtpDefaults(String myHostname) {
        return new SmtpClientSettings(true, myHostname, myHostname,
                Duration.ZERO, Duration.ofSeconds(300), Duration.ofSeconds(300),
                Duration.ofSeconds(300), Duration.ofSeconds(120), Duration.ofSeconds(180),
                Duration.ofSeconds(600), Duration.ofSeconds(300), Duration.ofSeconds(20),
                2, true, false, true, Set.of(), Duration.ofSeconds(2), Duration.ofSeconds(300), 0, 24);
    }

    /** A copy with every reply timeout set to {@code timeout} (tests, and "make it fail fast"). */
    public SmtpClientSettings withTimeouts(Duration timeout) {
        return new SmtpClientSettings(lmtp, heloName, myHostname, timeout, timeout, timeout, timeout,
                timeout, timeout, timeout, timeout, timeout, mxSessionLimit, skip5xxGreeting, neverSendEhlo,
                connectionCacheOnDemand, connectionCacheDestinations, connectionCacheTimeLimit,
                connectionReuseTimeLimit, connectionReuseCountLimit, defaultPort);
    }

    public SmtpClientSettings withMxSessionLimit(int limit) {
        return new SmtpClientSettings(lmtp, heloName, myHostname, connectTimeout, heloTimeout, mailTimeout,
                rcptTimeout, dataInitTimeout, dataXferTimeout, dataDoneTimeout, quitTimeout, rsetTimeout,
                limit, skip5xxGreeting, neverSendEhlo, connectionCacheOnDemand, connectionCacheDestinations,
                connectionCacheTimeLimit, connectionReuseTimeLimit, connectionReuseCountLimit, defaultPort);
    }

    /** The protocol word in Postfix's texts: "SMTP" or "LMTP". */
    public String protocolName() { return lmtp ? "LMTP" : "SMTP"; }
}
