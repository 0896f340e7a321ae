package org.smarthost.actors.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.smarthost.persistence.queue.DeliveryAttempted;
import org.smarthost.protocol.client.Outcome;
import org.smarthost.protocol.client.RecipientResult;
import org.smarthost.protocol.client.Relay;

/** How a client result becomes concurrency feedback for the destination. */
class SmtpAgentTest {

    private static org.smarthost.protocol.client.DeliveryResult deferredBySession(String text, boolean noThrottle) {
        Relay relay = new Relay("mx.example.test", "192.0.2.1", 25);
        return new org.smarthost.protocol.client.DeliveryResult(
                List.of(new RecipientResult("a@example.test", Outcome.DEFERRED, "4.7.5", text, null, relay)),
                relay, Duration.ofMillis(5), Duration.ZERO, noThrottle);
    }

    @Test
    void aSessionFailureIsADestinationProblem() {
        DeliveryResult r = SmtpAgent.convert(deferredBySession("Cannot start TLS: handshake failure", false));
        assertEquals(new DestinationProblem("4.7.5", "Cannot start TLS: handshake failure"), r.problem());
    }

    @Test
    void optionalTlsThatFailedIsNot() {
        // Postfix: "If TLS is opportunistic, don't throttle the destination"
        DeliveryResult r = SmtpAgent.convert(deferredBySession("Cannot start TLS: handshake failure", true));
        assertNull(r.problem());
        assertEquals(DeliveryAttempted.Outcome.DEFERRED, r.recipients().get(0).outcome()); // still deferred
    }
}
