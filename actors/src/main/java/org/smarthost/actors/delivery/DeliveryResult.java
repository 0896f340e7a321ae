package org.smarthost.actors.delivery;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.smarthost.persistence.CborSerializable;

/**
 * What a {@link DeliveryAgent} reports for one {@link DeliveryJob}.
 *
 * @param recipients      one entry per job recipient, in job order
 * @param problem         non-null when the destination itself failed (negative feedback)
 * @param connectionSetup the "c" of delays=a/b/c/d: DNS, connect, greeting, HELO, TLS
 * @param transmission    the "d" of delays=a/b/c/d: the mail transaction
 */
public record DeliveryResult(List<RecipientDelivery> recipients, DestinationProblem problem,
                             Duration connectionSetup, Duration transmission) implements CborSerializable {

    public DeliveryResult {
        recipients = List.copyOf(recipients);
        if (connectionSetup == null) connectionSetup = Duration.ZERO;
        if (transmission == null) transmission = Duration.ZERO;
    }

    public Optional<DestinationProblem> destinationProblem() {
        return Optional.ofNullable(problem);
    }

    /** Every recipient of {@code job} deferred with the same reason, nothing attempted. */
    public static DeliveryResult allDeferred(DeliveryJob job, DestinationProblem problem, String reason) {
        return new DeliveryResult(job.recipients().stream()
                .map(r -> RecipientDelivery.deferred(r.address(), problem.dsnStatus(), reason)).toList(),
                problem, Duration.ZERO, Duration.ZERO);
    }
}
