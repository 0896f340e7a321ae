package org.smarthost.protocol.dsn;

import java.time.Duration;
import java.time.ZoneId;

/**
 * main.cf values bounce(8) uses, as plain values.
 *
 * @param myhostname           myhostname (Reporting-MTA, template text, boundary)
 * @param myorigin             myorigin, to qualify MAILER-DAEMON in From:
 * @param mailName             mail_name ("Postfix"): X-Postfix-* fields
 * @param bounceSizeLimit      bounce_size_limit (50000): larger originals are returned as headers only
 * @param delayWarningTime     delay_warning_time, for the delay template text
 * @param maximalQueueLifetime maximal_queue_lifetime, for the delay template and Will-Retry-Until
 * @param zone                 time zone of Arrival-Date etc.
 */
public record DsnSettings(String myhostname, String myorigin, String mailName, long bounceSizeLimit,
                          Duration delayWarningTime, Duration maximalQueueLifetime, ZoneId zone) {

    public static DsnSettings defaults(String myhostname) {
        return new DsnSettings(myhostname, myhostname, "Postfix", 50000, Duration.ZERO, Duration.ofDays(5),
                ZoneId.systemDefault());
    }
}
