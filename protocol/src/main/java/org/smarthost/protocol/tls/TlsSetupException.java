package org.smarthost.protocol.tls;

/** TLS cannot be set up; the message is Postfix's warning text (without "warning: "). */
public final class TlsSetupException extends Exception {
    public TlsSetupException(String message) {
        super(message);
    }
}
