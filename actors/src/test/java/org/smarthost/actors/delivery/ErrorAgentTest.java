package org.smarthost.actors.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.smarthost.persistence.queue.DeliveryAttempted.Outcome;
import org.smarthost.persistence.queue.EnvelopeRecipient;

class ErrorAgentTest {

    private static DeliveryJob job(String transport, String nexthop) {
        return new DeliveryJob("4jZR1g3jdtzJ9Gy", transport, nexthop, "alice@example.com",
                List.of(new EnvelopeRecipient("bob@example.net", null, null),
                        new EnvelopeRecipient("carol@example.net", null, null)),
                null, null, 100, null, false, "4jZR1g3jdtzJ9Gy", Instant.EPOCH, Instant.EPOCH);
    }

    private static DeliveryResult run(ErrorAgent agent, DeliveryJob job) {
        return agent.deliver(job).toCompletableFuture().join();
    }

    @Test
    void errorBouncesEveryRecipientWithTheNexthopsDetailCode() {
        DeliveryResult r = run(ErrorAgent.error(), job("error", "5.1.1 User unknown"));
        assertEquals(2, r.recipients().size());
        for (RecipientDelivery d : r.recipients()) {
            assertEquals(Outcome.BOUNCED, d.outcome());
            assertEquals("5.1.1", d.dsnStatus());
            assertEquals("User unknown", d.reply());
            assertEquals("none", d.relay());
        }
        assertNull(r.problem(), "a bounce is no feedback about a destination");
    }

    @Test
    void errorWithoutADetailCodeUses500() {
        RecipientDelivery d = run(ErrorAgent.error(), job("error", "mail for this domain is not accepted")).recipients().get(0);
        assertEquals("5.0.0", d.dsnStatus());
        assertEquals("mail for this domain is not accepted", d.reply());
    }

    @Test
    void retryDefersAndKeepsTheTemporaryClass() {
        RecipientDelivery d = run(ErrorAgent.retry(), job("retry", "4.3.0 address resolver failure")).recipients().get(0);
        assertEquals(Outcome.DEFERRED, d.outcome());
        assertEquals("4.3.0", d.dsnStatus());
        assertEquals("address resolver failure", d.reply());
        // a permanent code on the retry service still defers: the class follows the agent
        assertEquals("4.1.1", run(ErrorAgent.retry(), job("retry", "5.1.1 odd")).recipients().get(0).dsnStatus());
    }

    @Test
    void discardPretendsToDeliver() {
        RecipientDelivery d = run(ErrorAgent.discard(), job("discard", "")).recipients().get(0);
        assertEquals(Outcome.DELIVERED, d.outcome());
        assertEquals("2.0.0", d.dsnStatus());
        assertEquals("discarded", d.reply());
        assertEquals("example.net", run(ErrorAgent.discard(), job("discard", "example.net")).recipients().get(0).reply());
    }
}
