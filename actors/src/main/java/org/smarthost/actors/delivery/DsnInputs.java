package org.smarthost.actors.delivery;

import org.smarthost.persistence.queue.DeliveryAttempted;
import org.smarthost.persistence.queue.EnvelopeRecipient;
import org.smarthost.persistence.queue.MessageReceived;
import org.smarthost.protocol.dsn.DsnMessage;
import org.smarthost.protocol.dsn.DsnRecipient;

/** Turns queue events and delivery results into the DSN composer's inputs (bounce(8)'s logs). */
public final class DsnInputs {

    private DsnInputs() { }

    /** The message a notice is about. */
    public static DsnMessage message(MessageReceived m) {
        boolean eightBit = "8BITMIME".equalsIgnoreCase(m.bodyType()) || "BINARYMIME".equalsIgnoreCase(m.bodyType());
        return new DsnMessage(m.queueId(), m.sender(), m.at(), m.envid(), m.ret(), eightBit, m.smtputf8(),
                m.messageId(), m.size());
    }

    /**
     * One recipient line of a notice.
     *
     * @param originalAddress the address before rewriting, or null when unchanged
     * @param action          RFC 3464 action; null derives it from the outcome (bounced: failed,
     *                        deferred: delayed, delivered: delivered). Agents relaying to a server
     *                        without DSN support should report "relayed".
     */
    public static DsnRecipient recipient(RecipientDelivery d, EnvelopeRecipient envelope, String originalAddress,
                                         String action) {
        String a = action != null ? action : switch (d.outcome()) {
            case BOUNCED -> "failed";
            case DEFERRED -> "delayed";
            case DELIVERED -> "delivered";
        };
        String remoteReply = d.remoteReply() == null || d.remoteReply().isEmpty() ? null : d.remoteReply();
        return new DsnRecipient(d.address(), originalAddress, envelope == null ? null : envelope.orcpt(), a,
                d.dsnStatus(), d.reply(), d.remoteMta(), remoteReply == null ? null : "smtp", remoteReply);
    }

    /** Same, from a persisted outcome (no Remote-MTA/Diagnostic-Code: "X-Postfix; reason"). */
    public static DsnRecipient recipient(DeliveryAttempted.RecipientOutcome o, EnvelopeRecipient envelope,
                                         String originalAddress) {
        return recipient(new RecipientDelivery(o.address(), o.outcome(), o.dsnStatus(), o.reply(), o.relay(),
                null, null), envelope, originalAddress, null);
    }
}
