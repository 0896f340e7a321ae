package org.smarthost.actors.delivery;

/**
 * What the queue manager needs to know about master.cf transports: the delivery agent behind a
 * transport name (looked up by the service's command: smtp, lmtp, error, discard), its
 * scheduler settings, its recipient limit and the program name its log lines carry.
 */
public interface Transports {

    /** The agent for {@code transport}; never null (an unknown transport defers its mail). */
    DeliveryAgent agent(String transport);

    /** qmgr concurrency settings for {@code transport} ({@code <transport>_destination_*}). */
    DestinationSettings destinationSettings(String transport);

    /** {@code <transport>_destination_recipient_limit}, else default_destination_recipient_limit. */
    int recipientLimit(String transport);

    /**
     * The logger (program name) of the agent's "to=<...>, status=..." lines: syslog_name of the
     * master.cf entry plus the command, e.g. "postfix/smtp" or "postfix/relay/smtp".
     */
    String logger(String transport);
}
