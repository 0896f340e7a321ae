package org.smarthost.app.queue;

import java.io.PrintWriter;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import org.smarthost.actors.queue.IndexEntry;
import org.smarthost.persistence.queue.QueueName;

/**
 * Postfix's queue listings, byte for byte: the Sendmail-style {@code postqueue -p}/{@code mailq}
 * listing in its long-queue-ID layout, and {@code postqueue -j} JSON lines (Postfix 3.1+).
 */
final class Showq {

    static final String HEADING = "----Queue ID----- --Size-- ---Arrival Time---- --Sender/Recipient------";
    static final String EMPTY = "Mail queue is empty";
    /** A deferral reason is right-aligned so that its closing parenthesis lands in column 78. */
    private static final int REASON_WIDTH = 76;
    private static final String RECIPIENT_INDENT = " ".repeat(47);
    private static final DateTimeFormatter ARRIVAL = DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss", Locale.US);

    private Showq() { }

    /** Messages postqueue shows: everything queued except corrupt ones. */
    static List<IndexEntry> visible(List<IndexEntry> all) {
        return all.stream().filter(e -> e.queue() != QueueName.CORRUPT && e.queue() != QueueName.DONE).toList();
    }

    static void text(List<IndexEntry> entries, ZoneId zone, PrintWriter out) {
        List<IndexEntry> shown = visible(entries);
        if (shown.isEmpty()) {
            out.println(EMPTY);
            return;
        }
        out.println(HEADING);
        long bytes = 0;
        for (IndexEntry e : shown) {
            bytes += e.size();
            String id = e.queueId() + status(e);
            String arrival = ARRIVAL.format(Instant.ofEpochSecond(e.arrival()).atZone(zone));
            out.print(String.format(Locale.ROOT, "%-17s %8d %19.19s %s%n", id, e.size(), arrival, sender(e.sender())));
            String previous = "";
            for (int i = 0; i < e.recipients().length; i++) {
                String reason = e.reasons()[i];
                if (!reason.isEmpty() && !reason.equals(previous)) {
                    int pad = Math.max(0, REASON_WIDTH - reason.length());
                    out.print(" ".repeat(pad) + "(" + reason + ")" + System.lineSeparator());
                    previous = reason;
                }
                out.println(RECIPIENT_INDENT + e.recipients()[i]);
            }
            out.println();
        }
        int n = shown.size();
        out.println("-- " + (bytes / 1024) + " Kbytes in " + n + " Request" + (n == 1 ? "" : "s") + ".");
    }

    static void json(List<IndexEntry> entries, PrintWriter out) {
        for (IndexEntry e : visible(entries)) {
            StringBuilder sb = new StringBuilder(256);
            sb.append("{\"queue_name\": ").append(quote(e.queue().postfixName()))
                    .append(", \"queue_id\": ").append(quote(e.queueId()))
                    .append(", \"arrival_time\": ").append(e.arrival())
                    .append(", \"message_size\": ").append(e.size())
                    .append(", \"forced_expire\": ").append(e.forcedExpire())
                    .append(", \"sender\": ").append(quote(sender(e.sender()))) // Postfix 3.7 names <> too
                    .append(", \"recipients\": [");
            for (int i = 0; i < e.recipients().length; i++) {
                if (i > 0) sb.append(", ");
                sb.append("{\"address\": ").append(quote(e.recipients()[i]));
                if (!e.reasons()[i].isEmpty()) sb.append(", \"delay_reason\": ").append(quote(e.reasons()[i]));
                sb.append('}');
            }
            sb.append("]}");
            out.println(sb);
        }
    }

    /** '*' active, '!' on hold, '#' forcibly expired, as in Postfix 3.5+. */
    static String status(IndexEntry e) {
        if (e.queue() == QueueName.ACTIVE) return "*";
        if (e.queue() == QueueName.HOLD) return "!";
        if (e.forcedExpire()) return "#";
        return "";
    }

    static String sender(String s) {
        return s.isEmpty() ? "MAILER-DAEMON" : s;
    }

    /** JSON string, escaped as Postfix's showq_json does (control characters as \\uXXXX). */
    static String quote(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                default -> {
                    if (c < 0x20 || c == 0x7f) sb.append(String.format(Locale.ROOT, "\\u%04X", (int) c));
                    else sb.append(c);
                }
            }
        }
        return sb.append('"').toString();
    }
}
