package org.smarthost.protocol.smtpd;

import io.netty.handler.ssl.SslContext;
import java.time.Duration;
import java.util.Objects;

/**
 * smtpd's TLS settings after Postfix's resolution of smtpd_tls_security_level against the
 * legacy smtpd_use_tls/smtpd_enforce_tls and smtpd_tls_wrappermode.
 *
 * @param offer          announce STARTTLS (security level may or encrypt)
 * @param enforce        commands other than EHLO, HELO, STARTTLS, NOOP, QUIT need TLS first (encrypt, or wrapper mode)
 * @param wrapperMode    smtpd_tls_wrappermode: TLS from the first byte (port 465)
 * @param authOnly       smtpd_tls_auth_only, or implied by enforce: AUTH only over TLS
 * @param receivedHeader smtpd_tls_received_header
 * @param loglevel       smtpd_tls_loglevel
 * @param handshakeTimeout smtpd_starttls_timeout
 * @param context        the server's keys, or null when they could not be loaded (STARTTLS then
 *                       gets "454 4.7.0 TLS not available due to local problem", as in Postfix)
 */
public record SmtpdTls(boolean offer, boolean enforce, boolean wrapperMode, boolean authOnly, boolean receivedHeader,
                       int loglevel, Duration handshakeTimeout, SslContext context) {

    public static final SmtpdTls NONE = new SmtpdTls(false, false, false, false, false, 0, Duration.ofSeconds(300), null);

    public SmtpdTls {
        Objects.requireNonNull(handshakeTimeout, "smtpd_starttls_timeout");
    }
}
