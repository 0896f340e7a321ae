package org.smarthost.protocol.sasl;

import java.io.IOException;

/**
 * The SASL server could not be reached or its handshake failed; the message says why, e.g.
 * "Connect to Dovecot auth socket 'private/auth' failed: No such file or directory".
 */
public final class SaslUnavailableException extends IOException {

    private static final long serialVersionUID = 1L;

    public SaslUnavailableException(String reason) {
        super(reason);
    }
}
