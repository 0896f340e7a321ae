package org.smarthost.protocol.tls;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.util.List;
import javax.net.ssl.SSLException;

/** Netty server contexts for smtpd's STARTTLS and wrapper mode, on the JDK's TLS engine. */
public final class ServerTlsContexts {

    private ServerTlsContexts() {
    }

    /**
     * @param protocols JSSE protocol names, from {@link TlsProtocols#enabled}
     */
    public static SslContext build(ServerCredentials credentials, List<String> protocols) throws TlsSetupException {
        try {
            return SslContextBuilder.forServer(credentials.keyManagerFactory())
                    .sslProvider(SslProvider.JDK)
                    .protocols(protocols)
                    .clientAuth(ClientAuth.NONE)
                    .build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new TlsSetupException("TLS library problem: " + e.getMessage());
        }
    }
}
