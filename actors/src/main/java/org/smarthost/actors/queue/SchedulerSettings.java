package org.smarthost.actors.queue;

import java.time.Duration;
import java.util.Set;
import org.smarthost.persistence.queue.BackoffPolicy;

/**
 * qmgr(8) and bounce(8) settings the scheduler uses, as plain values.
 *
 * @param activeLimit       qmgr_message_active_limit
 * @param recipientLimit    qmgr_message_recipient_limit
 * @param queueRunDelay     queue_run_delay: how often deferred mail is scanned
 * @param backoff           minimal/maximal_backoff_time, maximal_queue_lifetime, bounce_queue_lifetime
 * @param delayWarningTime  delay_warning_time, zero for none
 * @param notifyClasses     notify_classes (lower case)
 * @param bounceNoticeRecipient   bounce_notice_recipient
 * @param doubleBounceRecipient   2bounce_notice_recipient
 * @param doubleBounceSender      double_bounce_sender@$myhostname: the envelope sender of postmaster
 *                                notices, so that one that fails is recognised and never bounced
 * @param delayNoticeRecipient    delay_notice_recipient
 * @param destinationIdle   how long an idle DestinationActor stays in memory (internal)
 * @param delayLoggingResolution  delay_logging_resolution_limit: digits after the point in delay=/delays=
 */
public record SchedulerSettings(int activeLimit, int recipientLimit, Duration queueRunDelay, BackoffPolicy backoff,
                                Duration delayWarningTime, Set<String> notifyClasses, String bounceNoticeRecipient,
                                String doubleBounceRecipient, String delayNoticeRecipient, String doubleBounceSender,
                                Duration destinationIdle, int delayLoggingResolution) {

    public SchedulerSettings {
        notifyClasses = Set.copyOf(notifyClasses);
        if (activeLimit < 1) throw new IllegalArgumentException("qmgr_message_active_limit must be >= 1");
        if (recipientLimit < 1) throw new IllegalArgumentException("qmgr_message_recipient_limit must be >= 1");
        if (delayLoggingResolution < 0 || delayLoggingResolution > 6) {
            throw new IllegalArgumentException("delay_logging_resolution_limit must be 0..6");
        }
    }

    public static SchedulerSettings defaults() {
        return new SchedulerSettings(20000, 20000, Duration.ofSeconds(300), BackoffPolicy.POSTFIX_DEFAULTS,
                Duration.ZERO, Set.of("resource", "software"), "postmaster", "postmaster", "postmaster",
                "double-bounce@localhost", Duration.ofSeconds(30),
                org.smarthost.protocol.client.PostfixText.DEFAULT_DELAY_RESOLUTION);
    }
}
