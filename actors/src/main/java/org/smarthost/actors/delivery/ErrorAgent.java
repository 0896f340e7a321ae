package org.smarthost.actors.delivery;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.smarthost.persistence.queue.DeliveryAttempted;

/**
 * error(8): bounces every recipient with the reason in the nexthop ("5.1.1 User unknown"); run
 * as the retry service it defers them instead. The detail code defaults to 5.0.0 / 4.0.0.
 * Also the discard(8) agent, which pretends to deliver and reports the nexthop as its reason.
 */
public final class ErrorAgent implements DeliveryAgent {

    private static final Pattern DSN_DETAIL = Pattern.compile("^([245]\\.\\d{1,3}\\.\\d{1,3})\\s+(.*)$", Pattern.DOTALL);

    private final DeliveryAttempted.Outcome outcome;

    private ErrorAgent(DeliveryAttempted.Outcome outcome) {
        this.outcome = outcome;
    }

    /** The error service: bounce. */
    public static ErrorAgent error() { return new ErrorAgent(DeliveryAttempted.Outcome.BOUNCED); }

    /** The error command run under the service name retry: defer. */
    public static ErrorAgent retry() { return new ErrorAgent(DeliveryAttempted.Outcome.DEFERRED); }

    /** discard(8). */
    public static ErrorAgent discard() { return new ErrorAgent(DeliveryAttempted.Outcome.DELIVERED); }

    @Override
    public CompletionStage<DeliveryResult> deliver(DeliveryJob job) {
        String defaultStatus = switch (outcome) {
            case BOUNCED -> "5.0.0";
            case DEFERRED -> "4.0.0";
            case DELIVERED -> "2.0.0";
        };
        String nexthop = job.nexthop() == null ? "" : job.nexthop().trim();
        Matcher m = DSN_DETAIL.matcher(nexthop);
        String status = m.matches() ? m.group(1) : defaultStatus;
        String text = m.matches() ? m.group(2) : nexthop;
        if (outcome == DeliveryAttempted.Outcome.DELIVERED && text.isEmpty()) text = "discarded";
        // A status class that contradicts the agent (error:2.0.0 ...) keeps the agent's class.
        if (status.charAt(0) != defaultStatus.charAt(0)) status = defaultStatus.charAt(0) + status.substring(1);
        String s = status;
        String t = text;
        return CompletableFuture.completedFuture(new DeliveryResult(job.recipients().stream()
                .map(r -> new RecipientDelivery(r.address(), outcome, s, t, "none", null, null)).toList(),
                null, Duration.ZERO, Duration.ZERO));
    }
}
