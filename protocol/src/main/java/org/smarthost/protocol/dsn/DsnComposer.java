package org.smarthost.protocol.dsn;

import static org.smarthost.protocol.text.Utf8Names.isAscii;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/**
 * bounce(8): writes an RFC 3464 multipart/report delivery status notification the way Postfix
 * does (bounce_notify_util.c): template headers and text, one line per recipient, the
 * message/delivery-status part, then the returned message (message/rfc822) or its headers
 * (text/rfc822-headers). The original is streamed from an InputStream, never held whole.
 *
 * <p>The notice goes out with the null envelope sender ({@link #ENVELOPE_SENDER}) to the original
 * sender. Lines end in CRLF, as smtpd stores content. Received:, Date: and Message-Id: are left
 * to the cleanup stage the notice is queued through, as Postfix does, unless
 * {@link #compose(DsnKind, DsnMessage, List, InputStream, Instant, String, OutputStream)} is given
 * the new queue ID.
 */
public final class DsnComposer {

    /** Notices are sent with the null sender so they cannot loop. */
    public static final String ENVELOPE_SENDER = "";

    private static final byte[] CRLF = {'\r', '\n'};
    private static final int WRAP = 79;
    private static final int INDENT = 4;
    /** Postfix's mail_date(): day of month padded with a blank, zone abbreviation in parentheses. */
    static final DateTimeFormatter MAIL_DATE =
            DateTimeFormatter.ofPattern("EEE, ppd MMM yyyy HH:mm:ss Z '('z')'", Locale.US);
    /** cleanup(8) stamps Message-Id with GMT time. */
    private static final DateTimeFormatter MESSAGE_ID_TIME = DateTimeFormatter.ofPattern("yyyyMMddHHmmss");

    private final DsnSettings settings;

    public DsnComposer(DsnSettings settings) {
        this.settings = settings;
    }

    /** Same as the full form without Date:/Message-Id: (cleanup adds them). */
    public void compose(DsnKind kind, DsnMessage message, List<DsnRecipient> recipients, InputStream original,
                        Instant now, OutputStream out) throws IOException {
        compose(kind, message, recipients, original, now, null, out);
    }

    /**
     * Writes the notice.
     *
     * @param recipients  the recipients to report (already filtered with {@link DsnNotify})
     * @param original    the queued message content, or null when unavailable
     * @param now         the notice's time (MIME boundary, Date:)
     * @param newQueueId  queue ID of the notice itself: when non-null, Date: and
     *                    Message-Id: &lt;yyyyMMddHHmmss.ID@myhostname&gt; are written too
     */
    public void compose(DsnKind kind, DsnMessage message, List<DsnRecipient> recipients, InputStream original,
                        Instant now, String newQueueId, OutputStream out) throws IOException {
        if (message.sender() == null || message.sender().isEmpty()) {
            throw new IllegalArgumentException(message.queueId() + ": no notice to the null sender");
        }
        if (recipients.isEmpty()) {
            throw new IllegalArgumentException(message.queueId() + ": notice without recipients");
        }
        Writer w = new Writer(out);
        String boundary = message.queueId() + "." + now.getEpochSecond() + "/" + settings.myhostname();
        String encoding = message.eightBit() ? "8bit" : "7bit";

        // Message header (bounce_header); template headers first.
        if (newQueueId != null) w.line("Date: " + mailDate(now));
        w.line("From: MAILER-DAEMON@" + settings.myorigin() + " (Mail Delivery System)");
        w.line("Subject: " + kind.subject());
        w.line("To: " + quoteLocal(message.sender()));
        if (message.messageId() != null && !message.messageId().isBlank()) {
            w.line("References: " + message.messageId());
            w.line("In-Reply-To: " + message.messageId());
        }
        w.line("Auto-Submitted: auto-replied");
        w.line("MIME-Version: 1.0");
        w.line("Content-Type: multipart/report; report-type=delivery-status;");
        w.line("\tboundary=\"" + boundary + "\"");
        w.line("Content-Transfer-Encoding: " + encoding);
        if (newQueueId != null) {
            w.line("Message-Id: <" + MESSAGE_ID_TIME.format(now.atZone(java.time.ZoneOffset.UTC)) + "." + newQueueId
                    + "@" + settings.myhostname() + ">");
        }
        w.line("");
        w.line("This is a MIME-encapsulated message.");

        // Human-readable part.
        w.line("");
        w.line("--" + boundary);
        w.line("Content-Description: Notification");
        w.line("Content-Type: text/plain; charset=" + (message.eightBit() ? "utf-8" : "us-ascii"));
        if (message.eightBit()) w.line("Content-Transfer-Encoding: 8bit");
        w.line("");
        for (String line : BounceTemplates.text(kind, settings)) w.line(line);
        for (DsnRecipient r : recipients) {
            w.line("");
            String who = "<" + r.address() + ">";
            if (r.originalAddress() != null && !r.originalAddress().isEmpty()
                    && !r.originalAddress().equals(r.address())) {
                who += " (expanded from <" + r.originalAddress() + ">)";
            }
            w.wrapped(who + ": " + printable(r.reason(), message.smtputf8()));
        }

        // Machine-readable part (bounce_header_dsn, bounce_diagnostic_dsn).
        w.line("");
        w.line("--" + boundary);
        w.line("Content-Description: Delivery report");
        w.line("Content-Type: message/" + (message.smtputf8() ? "global-" : "") + "delivery-status");
        if (message.eightBit() && message.smtputf8()) w.line("Content-Transfer-Encoding: " + encoding);
        w.line("");
        w.line("Reporting-MTA: dns; " + settings.myhostname());
        if (message.envid() != null && !message.envid().isEmpty()) {
            w.line("Original-Envelope-Id: " + message.envid());
        }
        w.line("X-" + settings.mailName() + "-Queue-ID: " + message.queueId());
        w.line("X-" + settings.mailName() + "-Sender: " + addressType(message.sender(), message.smtputf8())
                + "; " + message.sender());
        if (message.arrival() != null) w.line("Arrival-Date: " + mailDate(message.arrival()));
        for (DsnRecipient r : recipients) {
            w.line("");
            w.line("Final-Recipient: " + addressType(r.address(), message.smtputf8()) + "; " + r.address());
            if (r.orcpt() != null && !r.orcpt().isEmpty()) {
                w.line("Original-Recipient: " + r.orcpt());
            } else if (r.originalAddress() != null && !r.originalAddress().isEmpty()) {
                w.line("Original-Recipient: " + addressType(r.originalAddress(), message.smtputf8()) + "; "
                        + r.originalAddress());
            }
            w.line("Action: " + (kind == DsnKind.FAILURE ? "failed" : r.action()));
            w.line("Status: " + r.status());
            if (r.remoteMta() != null && !r.remoteMta().isEmpty()) w.wrapped("Remote-MTA: dns; " + r.remoteMta());
            if (r.diagnosticType() != null && r.diagnosticText() != null && !r.diagnosticText().isEmpty()) {
                w.wrapped("Diagnostic-Code: " + r.diagnosticType() + "; "
                        + printable(r.diagnosticText(), message.smtputf8()));
            } else {
                w.wrapped("Diagnostic-Code: X-" + settings.mailName() + "; "
                        + printable(r.reason(), message.smtputf8()));
            }
            if (kind == DsnKind.DELAY && message.arrival() != null) {
                w.line("Will-Retry-Until: " + mailDate(message.arrival().plus(settings.maximalQueueLifetime())));
            }
        }

        // The returned message (bounce_original).
        boolean headersOnly = kind != DsnKind.FAILURE || "HDRS".equalsIgnoreCase(message.ret());
        if (settings.bounceSizeLimit() > 0 && original != null
                && (message.size() <= 0 || message.size() > settings.bounceSizeLimit())) {
            headersOnly = true;      // don't damage the MIME structure by truncating: headers only
        }
        w.line("");
        w.line("--" + boundary);
        w.line("Content-Description: " + (kind.undelivered() ? "Undelivered " : "")
                + (headersOnly ? "Message Headers" : "Message"));
        if (message.smtputf8()) {
            w.line("Content-Type: message/" + (headersOnly ? "global-headers" : "global"));
        } else {
            w.line("Content-Type: " + (headersOnly ? "text/rfc822-headers" : "message/rfc822"));
        }
        if (message.eightBit()) w.line("Content-Transfer-Encoding: " + encoding);
        w.line("");
        if (original == null) {
            w.line("\t--- Undelivered message unavailable ---");
        } else {
            // cleanup strips Return-Path:, so put one back for header_checks and the reader.
            w.line("Return-Path: <" + message.sender() + ">");
            copyOriginal(original, headersOnly, w);
        }
        w.line("");
        w.line("--" + boundary + "--");
        out.flush();
    }

    /** Copies the original line by line (bytes, 8-bit transparent); stops after the headers if asked. */
    private static void copyOriginal(InputStream in, boolean headersOnly, Writer w) throws IOException {
        byte[] buf = new byte[8192];
        ByteArrayOutputStream line = new ByteArrayOutputStream(256);
        int n;
        while ((n = in.read(buf)) != -1) {
            int from = 0;
            for (int i = 0; i < n; i++) {
                if (buf[i] != '\n') continue;
                line.write(buf, from, i - from);
                from = i + 1;
                if (!emit(line, headersOnly, w)) return;
            }
            line.write(buf, from, n - from);
        }
        if (line.size() > 0) emit(line, headersOnly, w);
    }

    /** Writes one line (without its LF/CRLF); false when a headers-only copy has reached the body. */
    private static boolean emit(ByteArrayOutputStream line, boolean headersOnly, Writer w) throws IOException {
        byte[] bytes = line.toByteArray();
        line.reset();
        int len = bytes.length;
        if (len > 0 && bytes[len - 1] == '\r') len--;
        if (headersOnly && !isHeaderLine(bytes, len)) return false;
        w.bytes(bytes, len);
        return true;
    }

    /** A header field ("Name: ...") or a continuation line (starts with blank). */
    private static boolean isHeaderLine(byte[] b, int len) {
        if (len == 0) return false;
        if (b[0] == ' ' || b[0] == '\t') return true;
        for (int i = 0; i < len; i++) {
            byte x = b[i];
            if (x == ':') return i > 0;
            if (x <= ' ' || x >= 127) return false;
        }
        return false;
    }

    String mailDate(Instant t) {
        return MAIL_DATE.format(t.atZone(settings.zone()));
    }

    private static String addressType(String address, boolean smtputf8) {
        return smtputf8 && !isAscii(address) ? "utf-8" : "rfc822";
    }

    /** As bounce_log_read(): control characters (and non-ASCII without SMTPUTF8) become '?'. */
    static String printable(String s, boolean utf8) {
        if (s == null) return "";
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 0x20 && c < 0x7f) || (utf8 && c >= 0xa0);
            sb.append(ok ? c : '?');
        }
        return sb.toString();
    }

    /** quote_822_local(): quote the local-part when it has characters RFC 5322 needs quoted. */
    static String quoteLocal(String address) {
        int at = address.lastIndexOf('@');
        String local = at < 0 ? address : address.substring(0, at);
        String rest = at < 0 ? "" : address.substring(at);
        boolean needs = local.isEmpty() || local.startsWith(".") || local.endsWith(".") || local.contains("..");
        for (int i = 0; i < local.length() && !needs; i++) {
            char c = local.charAt(i);
            needs = c <= ' ' || c >= 127 && c < 160 || "()<>@,;:\\\"[]".indexOf(c) >= 0;
        }
        if (!needs) return address;
        return "\"" + local.replace("\\", "\\\\").replace("\"", "\\\"") + "\"" + rest;
    }

    private static final class Writer {
        private final OutputStream out;

        Writer(OutputStream out) {
            this.out = out;
        }

        void line(String s) throws IOException {
            out.write(s.getBytes(StandardCharsets.UTF_8));
            out.write(CRLF);
        }

        void wrapped(String s) throws IOException {
            for (String l : LineWrap.wrap(s, WRAP, INDENT)) line(l);
        }

        void bytes(byte[] b, int len) throws IOException {
            out.write(b, 0, len);
            out.write(CRLF);
        }
    }
}
