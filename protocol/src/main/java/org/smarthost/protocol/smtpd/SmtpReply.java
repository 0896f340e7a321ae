package org.smarthost.protocol.smtpd;

import java.util.List;

/**
 * One SMTP reply: a three-digit code, an RFC 3463 enhanced status code (may be empty for
 * replies that carry none, such as the 220 greeting) and one or more text lines.
 */
public record SmtpReply(int code, String enhanced, List<String> lines) {

    public SmtpReply {
        lines = List.copyOf(lines);
        if (enhanced == null) enhanced = "";
    }

    public static SmtpReply of(int code, String enhanced, String text) {
        return new SmtpReply(code, enhanced, List.of(text));
    }

    public boolean isPositive() { return code >= 200 && code < 400; }
    public boolean isTransientFailure() { return code >= 400 && code < 500; }
    public boolean isPermanentFailure() { return code >= 500; }
}
