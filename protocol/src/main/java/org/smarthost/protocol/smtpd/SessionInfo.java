package org.smarthost.protocol.smtpd;

import java.net.InetSocketAddress;

/**
 * What smtpd knows about the client when a transaction opens.
 *
 * @param clientName    reverse-resolved name or "unknown", as Postfix logs it
 * @param clientAddress remote socket address
 * @param heloName      EHLO/HELO argument, may be null
 * @param protocol      "SMTP", "ESMTP", "ESMTPS", "ESMTPA", "LMTP" ... as in Received:
 * @param saslUsername  authenticated user, or null
 * @param serviceName   master.cf service name this session arrived on, e.g. "smtp" or "127.0.0.1:2525"
 * @param serverAddress the local end of the client's connection (Postfix's server_address and
 *                      server_port), or null for mail that did not arrive over the network
 */
public record SessionInfo(String clientName, InetSocketAddress clientAddress, String heloName,
                          String protocol, String saslUsername, String serviceName,
                          InetSocketAddress serverAddress) {
}
