package org.smarthost.streams.cleanup;

/**
 * The Received: header smtpd puts on top of every message, in Postfix's exact form:
 * <pre>
 * Received: from HELO (NAME [ADDR])
 *         (COMMENT)                         (smtpd's TLS and AUTH comments, if any)
 *         by MYHOSTNAME (MAIL_NAME) with PROTOCOL id QUEUEID
 *         for &lt;RCPT&gt;; DATE            (exactly one recipient)
 * </pre>
 * or, with several recipients, {@code id QUEUEID;} followed by a line with only the date.
 */
public final class ReceivedHeader {
    private ReceivedHeader() { }

    public static String format(CleanupSettings settings, CleanupEnvelope env) {
        String name = env.clientName() == null ? "unknown" : env.clientName();
        String helo = env.heloName() == null || env.heloName().isEmpty() ? name : env.heloName();
        String addr = env.clientAddress() == null ? "unknown" : env.clientAddress();
        // RFC 5321 address literal: IPv6 addresses carry the "IPv6:" tag.
        if (addr.indexOf(':') >= 0 && !addr.startsWith("IPv6:")) addr = "IPv6:" + addr;
        String date = MailDate.format(env.arrival(), settings.zone());
        StringBuilder sb = new StringBuilder(256);
        sb.append("Received: from ").append(helo).append(" (").append(name).append(" [").append(addr).append("])\r\n");
        for (String comment : env.receivedComments()) sb.append('\t').append(comment).append("\r\n");
        sb.append("\tby ").append(settings.myhostname()).append(" (").append(settings.mailName())
                .append(") with ").append(env.protocol()).append(" id ").append(env.queueId());
        if (env.recipients().size() == 1) {
            sb.append("\r\n\tfor <").append(env.recipients().get(0)).append(">; ").append(date).append("\r\n");
        } else {
            sb.append(";\r\n\t").append(date).append("\r\n");
        }
        return sb.toString();
    }
}
