package org.smarthost.protocol.client;

import java.util.List;
import java.util.regex.Pattern;

/**
 * One (possibly multi-line) reply from a remote SMTP/LMTP server.
 *
 * @param code  the three-digit reply code
 * @param lines the text of each line after "code-" or "code " (enhanced code included)
 */
public record ServerReply(int code, List<String> lines) {

    private static final Pattern ENHANCED = Pattern.compile("^([245])\\.(\\d{1,3})\\.(\\d{1,3})(?:\\s|$)");

    public ServerReply {
        lines = List.copyOf(lines);
    }

    public boolean isPositive() { return code >= 200 && code < 400; }
    public boolean isTransient() { return code >= 400 && code < 500; }
    public boolean isPermanent() { return code >= 500; }

    /**
     * The RFC 3463 status: the server's enhanced code when the first line carries one of the same
     * class as the reply code, otherwise "X.0.0" from the reply code's first digit (as Postfix does).
     */
    public String dsn() {
        String first = lines.isEmpty() ? "" : lines.get(0);
        var m = ENHANCED.matcher(first);
        if (m.find() && m.group(1).charAt(0) == (char) ('0' + code / 100)) {
            return m.group(1) + "." + m.group(2) + "." + m.group(3);
        }
        return (code / 100) + ".0.0";
    }

    /**
     * The reply as Postfix quotes it in logs and bounces: every line with its code, lines joined
     * by one space ("550-5.1.1 first 550 5.1.1 second").
     */
    public String text() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < lines.size(); i++) {
            if (i > 0) sb.append(' ');
            sb.append(code).append(i < lines.size() - 1 ? '-' : ' ').append(lines.get(i));
        }
        if (lines.isEmpty()) sb.append(code);
        return sb.toString().stripTrailing();
    }

    @Override public String toString() { return text(); }
}
