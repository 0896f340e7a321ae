package org.smarthost.actors.delivery;

import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.smarthost.persistence.body.BodyStore;
import org.smarthost.persistence.queue.DeliveryAttempted;
import org.smarthost.protocol.client.DeliveryRequest;
import org.smarthost.protocol.client.Recipient;
import org.smarthost.protocol.client.RecipientResult;
import org.smarthost.protocol.client.Relay;
import org.smarthost.protocol.client.SmtpClient;

/**
 * smtp(8) and lmtp(8): one job becomes one {@link SmtpClient} delivery, the content streamed
 * from the body store. A destination problem (negative concurrency feedback) is a result in
 * which nothing was delivered or bounced and no server answered for a recipient: connection
 * failures, greeting/EHLO refusals, timeouts and lost sessions. Per-recipient rejections say
 * the destination works.
 */
public final class SmtpAgent implements DeliveryAgent {

    private final SmtpClient client;
    private final BodyStore bodies;
    private final Duration minimalBackoff;

    /**
     * @param minimalBackoff minimal_backoff_time: a message that waited this long before an
     *                       attempt may fall back to plaintext when optional TLS fails
     */
    public SmtpAgent(SmtpClient client, BodyStore bodies, Duration minimalBackoff) {
        this.client = client;
        this.bodies = bodies;
        this.minimalBackoff = minimalBackoff;
    }

    @Override
    public CompletionStage<DeliveryResult> deliver(DeliveryJob job) {
        return deliver(job, false);
    }

    @Override
    public CompletionStage<DeliveryResult> deliver(DeliveryJob job, boolean cacheConnection) {
        DeliveryRequest request = new DeliveryRequest(job.nexthop(), job.sender(),
                job.recipients().stream().map(r -> new Recipient(r.address(), r.dsnNotify(), r.orcpt())).toList(),
                job.ret(), job.envid(), job.size(), job.bodyType(), job.smtputf8(),
                () -> bodies.open(job.bodyKey()), cacheConnection, waitedBeforeThisAttempt(job).compareTo(minimalBackoff) >= 0);
        return client.deliver(request).thenApply(SmtpAgent::convert);
    }

    /** Postfix's PREACTIVE_DELAY: from arrival until the message became active for this attempt. */
    private static Duration waitedBeforeThisAttempt(DeliveryJob job) {
        if (job.arrival() == null || job.activeSince() == null) return Duration.ZERO;
        return Duration.between(job.arrival(), job.activeSince());
    }

    static DeliveryResult convert(org.smarthost.protocol.client.DeliveryResult r) {
        boolean siteProblem = !r.recipients().isEmpty() && !r.noThrottle();
        for (RecipientResult x : r.recipients()) {
            boolean session = x.remoteReply() == null || x.text().contains("refused to talk to me")
                    || x.text().contains("(in reply to EHLO command)") || x.text().contains("(in reply to LHLO command)")
                    || x.text().contains("(in reply to HELO command)");
            if (x.outcome() != org.smarthost.protocol.client.Outcome.DEFERRED || !session) siteProblem = false;
        }
        DestinationProblem problem = null;
        if (siteProblem) {
            RecipientResult first = r.recipients().get(0);
            problem = new DestinationProblem(first.dsn(), first.text());
        }
        return new DeliveryResult(r.recipients().stream().map(SmtpAgent::convert).toList(), problem,
                r.connectionSetup(), r.transmission());
    }

    private static RecipientDelivery convert(RecipientResult x) {
        DeliveryAttempted.Outcome outcome = switch (x.outcome()) {
            case DELIVERED -> DeliveryAttempted.Outcome.DELIVERED;
            case DEFERRED -> DeliveryAttempted.Outcome.DEFERRED;
            case BOUNCED -> DeliveryAttempted.Outcome.BOUNCED;
        };
        Relay relay = x.relay() == null ? Relay.NONE : x.relay();
        return new RecipientDelivery(x.address(), outcome, x.dsn(), x.text(), relay.toString(),
                x.remoteReply() != null && !relay.isNone() ? relay.hostname() : null, x.remoteReply(),
                x.connectionUse());
    }
}
