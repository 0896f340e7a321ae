package org.smarthost.loadtests.smtp;

import java.util.List;

/**
 * One SMTP reply: the three-digit code and its text lines (continuation lines of a multi-line
 * reply included, codes stripped).
 */
public record SmtpReply(int code, List<String> lines) {

    public SmtpReply {
        lines = List.copyOf(lines);
    }

    /** 2xx: the command was accepted. */
    public boolean isPositiveCompletion() {
        return code >= 200 && code < 300;
    }

    /** 3xx: the server waits for more (354 after DATA). */
    public boolean isPositiveIntermediate() {
        return code >= 300 && code < 400;
    }

    /** The reply as the server sent its last line, e.g. {@code 250 2.0.0 Ok: queued as 4Xyz}. */
    @Override
    public String toString() {
        return code + (lines.isEmpty() ? "" : " " + lines.get(lines.size() - 1));
    }
}
