package org.smarthost.protocol.io;

import io.netty.channel.ConnectTimeoutException;
import java.io.FileNotFoundException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A socket error as Postfix's {@code %m} shows it, the C library's text for errno ("Connection
 * refused"), without what Java and Netty put around it: the JDK's message is that text, Netty
 * adds ": address"; the native transport starts with the system call and errno
 * ("finishConnect(..) failed with error(-111): Connection refused: /127.0.0.1:25") and reports a
 * missing UNIX-domain socket as a FileNotFoundException without a message.
 */
public final class SocketErrors {

    /** The native transport's "call(..) failed: " or "call(..) failed with error(-N): " prefix. */
    private static final Pattern NATIVE_PREFIX = Pattern.compile("^\\w+\\(\\.\\.\\) failed(?: with error\\(-?\\d+\\))?: ");

    private SocketErrors() {
    }

    /** The error text for {@code cause}, e.g. "Connection refused". */
    public static String text(Throwable cause) {
        if (cause instanceof ConnectTimeoutException) {
            return "Connection timed out";
        }
        String message = cause.getMessage();
        if (message == null) {
            return cause instanceof FileNotFoundException ? "No such file or directory" : cause.getClass().getSimpleName();
        }
        Matcher prefix = NATIVE_PREFIX.matcher(message);
        if (prefix.lookingAt()) {
            message = message.substring(prefix.end());
        }
        int suffix = message.indexOf(": ");
        return suffix > 0 ? message.substring(0, suffix) : message;
    }
}
