package org.smarthost.actors.delivery;

import org.smarthost.persistence.CborSerializable;
import org.smarthost.persistence.queue.DeliveryAttempted;

/**
 * What one attempt did for one recipient, as the delivery agent reports it. The first five
 * fields are those of {@link DeliveryAttempted.RecipientOutcome}; the last two feed the RFC 3464
 * report (Remote-MTA, Diagnostic-Code) when a bounce or success notice is due.
 *
 * @param address     the recipient
 * @param outcome     delivered (status=sent) / deferred / bounced
 * @param dsnStatus   RFC 3463 status, e.g. "2.0.0", "4.4.1", "5.1.1"
 * @param reply       Postfix's status text, e.g. "250 2.0.0 Ok: queued as 4X" or
 *                    "host mx[192.0.2.1] said: 550 5.1.1 ... (in reply to RCPT TO command)"
 * @param relay       relay= value, "mx.example[192.0.2.1]:25" or "none"
 * @param remoteMta   name of the server that answered (Remote-MTA: dns; name), or null
 * @param remoteReply the server's reply text (Diagnostic-Code: smtp; ...), or null for local errors
 * @param connectionUse the mail transactions the agent's connection has carried, this one
 *                    included: the status line's {@code conn_use=} when more than one. Only logged,
 *                    not part of the event.
 */
public record RecipientDelivery(String address, DeliveryAttempted.Outcome outcome, String dsnStatus, String reply,
                                String relay, String remoteMta, String remoteReply, int connectionUse)
        implements CborSerializable {

    /** An outcome from a delivery that used no connection twice. */
    public RecipientDelivery(String address, DeliveryAttempted.Outcome outcome, String dsnStatus, String reply,
                             String relay, String remoteMta, String remoteReply) {
        this(address, outcome, dsnStatus, reply, relay, remoteMta, remoteReply, 0);
    }

    /** A deferral that never reached a server (suspended destination, agent failure). */
    public static RecipientDelivery deferred(String address, String dsnStatus, String reason) {
        return new RecipientDelivery(address, DeliveryAttempted.Outcome.DEFERRED, dsnStatus, reason, "none", null, null);
    }

    public DeliveryAttempted.RecipientOutcome toOutcome(DeliveryAttempted.Delays delays) {
        return new DeliveryAttempted.RecipientOutcome(address, outcome, dsnStatus, reply, relay, delays);
    }
}
