package org.smarthost.protocol.client;

import java.time.Duration;

/**
 * Postfix's wording for delivery results, so log lines and bounces read exactly like Postfix's
 * smtp(8)/lmtp(8): {@code relay=} values, "host X said: ...", connection and timeout texts, and
 * the {@code delay=}/{@code delays=} number format.
 */
public final class PostfixText {

    private PostfixText() { }

    /** The {@code relay=} field value: "mx.example.com[192.0.2.1]:25", "host[/path]" or "none". */
    public static String relay(Relay relay) {
        return relay.toString();
    }

    /** "host mx[192.0.2.1] said: 550 5.1.1 ... (in reply to RCPT TO command)". */
    public static String said(Relay relay, ServerReply reply, String inReplyTo) {
        return "host " + relay.hostAddress() + " said: " + reply.text() + " (in reply to " + inReplyTo + ")";
    }

    /** "host mx[192.0.2.1] refused to talk to me: 421 4.3.2 ...". */
    public static String refusedToTalk(Relay relay, ServerReply reply) {
        return "host " + relay.hostAddress() + " refused to talk to me: " + reply.text();
    }

    /** "connect to mx[192.0.2.1]:25: Connection refused" ("connect to host[/path]: ..." for UNIX). */
    public static String connectFailed(Relay relay, String error) {
        return "connect to " + relay + ": " + error;
    }

    /** "conversation with mx[192.0.2.1] timed out while sending RCPT TO". */
    public static String timedOut(Relay relay, String stage) {
        return "conversation with " + relay.hostAddress() + " timed out while " + stage;
    }

    /** "lost connection with mx[192.0.2.1] while receiving the initial server greeting". */
    public static String lostConnection(Relay relay, String stage) {
        return "lost connection with " + relay.hostAddress() + " while " + stage;
    }

    /** "message size 12345 exceeds size limit 10240 of server mx[192.0.2.1]". */
    public static String sizeExceeded(long size, long limit, Relay relay) {
        return "message size " + size + " exceeds size limit " + limit + " of server " + relay.hostAddress();
    }

    /**
     * A duration as in {@code delay=} and {@code delays=}: two significant digits, at most two
     * decimals, trailing zeros dropped ("0", "0.01", "0.27", "1.3", "14", "128").
     */
    public static String delay(Duration duration) {
        // Whole units of a tenth or a hundredth: exact (floating point made 0.29 s "0.28"), and
        // no String.format, which built a DecimalFormatSymbols per call, four times per delivery.
        long nanos = Math.max(0, duration.toNanos());
        if (nanos >= 10_000_000_000L) return Long.toString(nanos / 1_000_000_000L);
        if (nanos >= 1_000_000_000L) {
            long tenths = nanos / 100_000_000L;
            return tenths % 10 == 0 ? Long.toString(tenths / 10) : tenths / 10 + "." + tenths % 10;
        }
        long hundredths = nanos / 10_000_000L;
        if (hundredths == 0) return "0";
        if (hundredths % 10 == 0) return "0." + hundredths / 10;
        return (hundredths < 10 ? "0.0" : "0.") + hundredths;
    }

    /** {@code delays=a/b/c/d}. */
    public static String delays(Duration beforeQmgr, Duration inQmgr, Duration connectionSetup, Duration transmission) {
        return delay(beforeQmgr) + "/" + delay(inQmgr) + "/" + delay(connectionSetup) + "/" + delay(transmission);
    }

}
