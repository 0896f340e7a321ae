package org.smarthost.actors.delivery;

import java.time.Instant;
import java.util.List;
import org.smarthost.persistence.CborSerializable;
import org.smarthost.persistence.queue.EnvelopeRecipient;

/**
 * One delivery request the queue manager hands a destination: one message, some of its
 * recipients (at most the transport's recipient limit), one transport:nexthop. Carries what a
 * delivery agent needs without reading the message's events.
 *
 * @param queueId      the message's queue ID
 * @param transport    master.cf service, e.g. "smtp", "relay", "lmtp"
 * @param nexthop      transport-specific destination from the resolver
 * @param sender       envelope sender, "" for the null sender
 * @param recipients   recipients of this delivery, with their DSN NOTIFY/ORCPT
 * @param ret          DSN RET= or null
 * @param envid        DSN ENVID= or null
 * @param size         message size in bytes
 * @param bodyType     BODY= value or null
 * @param smtputf8     SMTPUTF8 requested
 * @param bodyKey      key of the content in the body store
 * @param arrival      when the message arrived (for delays=a/..., Arrival-Date)
 * @param activeSince  when the queue manager took the message in (start of delays=./b/..)
 */
public record DeliveryJob(String queueId, String transport, String nexthop, String sender,
                          List<EnvelopeRecipient> recipients, String ret, String envid, long size, String bodyType,
                          boolean smtputf8, String bodyKey, Instant arrival, Instant activeSince)
        implements CborSerializable {

    public DeliveryJob {
        recipients = List.copyOf(recipients);
        if (recipients.isEmpty()) throw new IllegalArgumentException(queueId + ": delivery job without recipients");
        if (sender == null) sender = "";
    }

    /**
     * Identity of this job: a recipient is never in two deliveries at once, so queue ID plus
     * recipients names it uniquely.
     */
    public String jobId() {
        StringBuilder sb = new StringBuilder(queueId).append('/');
        for (int i = 0; i < recipients.size(); i++) {
            if (i > 0) sb.append(',');
            sb.append(recipients.get(i).address());
        }
        return sb.toString();
    }

    /** transport:nexthop, the DestinationActor this job belongs to. */
    public String destination() {
        return transport + ":" + nexthop;
    }
}
