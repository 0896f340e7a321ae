package org.smarthost.protocol.tls;

import javax.net.ssl.SSLSession;

/**
 * What Postfix logs and writes into Received: about a TLS session: protocol, cipher and its
 * strength ("TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)"). JSSE does not say
 * which key-exchange group or signature was used, so Postfix's "key-exchange ..." and
 * "server-signature ..." details are left out.
 */
public record TlsSummary(String protocol, String cipher, int useBits, int algBits) {

    public static TlsSummary of(SSLSession session) {
        String cipher = session.getCipherSuite();
        int bits = cipherBits(cipher);
        return new TlsSummary(session.getProtocol(), cipher, bits, bits == 112 ? 168 : bits);
    }

    /** "TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)" */
    public String describe() {
        return protocol + " with cipher " + cipher + " (" + useBits + "/" + algBits + " bits)";
    }

    /** The symmetric cipher's key length, from the suite name (JSSE has no call for it). */
    static int cipherBits(String suite) {
        if (suite.contains("AES_256") || suite.contains("CHACHA20") || suite.contains("CAMELLIA_256")) return 256;
        if (suite.contains("AES_128") || suite.contains("CAMELLIA_128") || suite.contains("ARIA_128")) return 128;
        if (suite.contains("3DES")) return 112;
        return 0; // NULL ciphers, and any suite this does not know
    }
}
