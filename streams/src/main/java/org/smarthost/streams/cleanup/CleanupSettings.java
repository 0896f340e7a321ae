package org.smarthost.streams.cleanup;

import java.time.ZoneId;

/**
 * The main.cf parameters the cleanup stage obeys, as plain values.
 *
 * @param myhostname         myhostname, in Received: and added Message-Id:
 * @param mailName           mail_name (default "Postfix"), in Received:
 * @param hopcountLimit      hopcount_limit (default 50): Received: headers allowed
 * @param headerSizeLimit    header_size_limit (default 102400): bytes kept of one header
 * @param messageSizeLimit   message_size_limit (default 10240000), 0 = unlimited
 * @param zone               time zone for Received: and Date: (Postfix uses local time)
 * @param checks             header_checks, mime_header_checks, nested_header_checks, body_checks
 */
public record CleanupSettings(String myhostname, String mailName, int hopcountLimit, int headerSizeLimit,
                              long messageSizeLimit, ZoneId zone, ContentChecks checks) {

    /** Without content checks. */
    public CleanupSettings(String myhostname, String mailName, int hopcountLimit, int headerSizeLimit,
                           long messageSizeLimit, ZoneId zone) {
        this(myhostname, mailName, hopcountLimit, headerSizeLimit, messageSizeLimit, zone, ContentChecks.NONE);
    }

    public static CleanupSettings defaults(String myhostname) {
        return new CleanupSettings(myhostname, "Postfix", 50, 102400, 10240000L, ZoneId.systemDefault());
    }

    public CleanupSettings withChecks(ContentChecks checks) {
        return new CleanupSettings(myhostname, mailName, hopcountLimit, headerSizeLimit, messageSizeLimit, zone,
                checks);
    }
}
