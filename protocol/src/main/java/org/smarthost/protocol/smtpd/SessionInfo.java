package org.smarthost.protocol.smtpd;

import java.net.InetSocketAddress;
import java.util.List;

/**
 * What smtpd knows about the client when a transaction opens.
 *
 * @param clientName    reverse-resolved name or "unknown", as Postfix logs it
 * @param clientAddress remote socket address
 * @param heloName      EHLO/HELO argument, may be null
 * @param protocol      "SMTP", "ESMTP", "LMTP" ...: Postfix's protocol_name, as logged (proto=ESMTP)
 * @param saslUsername  authenticated user, or null
 * @param serviceName   master.cf service name this session arrived on, e.g. "smtp" or "127.0.0.1:2525"
 * @param serverAddress the local end of the client's connection (Postfix's server_address and
 *                      server_port), or null for mail that did not arrive over the network
 * @param receivedProtocol the protocol for Received: "with", with RFC 3848's suffixes: ESMTPS
 *                      over TLS, ESMTPA after AUTH, ESMTPSA with both
 * @param receivedComments lines smtpd adds to Received: after "from ...", without the leading
 *                      tab: "(using TLSv1.3 with cipher ...)" (smtpd_tls_received_header),
 *                      "(Authenticated sender: ...)" (smtpd_sasl_authenticated_header)
 */
public record SessionInfo(String clientName, InetSocketAddress clientAddress, String heloName,
                          String protocol, String saslUsername, String serviceName,
                          InetSocketAddress serverAddress, String receivedProtocol, List<String> receivedComments) {

    public SessionInfo {
        receivedProtocol = receivedProtocol == null ? protocol : receivedProtocol;
        receivedComments = receivedComments == null ? List.of() : List.copyOf(receivedComments);
    }

    /** A session without TLS or AUTH. */
    public SessionInfo(String clientName, InetSocketAddress clientAddress, String heloName, String protocol,
                       String saslUsername, String serviceName, InetSocketAddress serverAddress) {
        this(clientName, clientAddress, heloName, protocol, saslUsername, serviceName, serverAddress, protocol, List.of());
    }
}
