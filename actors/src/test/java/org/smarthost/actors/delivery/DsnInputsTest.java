package org.smarthost.actors.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.smarthost.persistence.queue.DeliveryAttempted;
import org.smarthost.persistence.queue.EnvelopeRecipient;
import org.smarthost.persistence.queue.MessageReceived;
import org.smarthost.protocol.dsn.DsnMessage;
import org.smarthost.protocol.dsn.DsnRecipient;

class DsnInputsTest {

    @Test
    void mapsQueueEventsAndResultsToDsnInputs() {
        EnvelopeRecipient env = new EnvelopeRecipient("bob@remote.test", Set.of("FAILURE"), "rfc822;bob@remote.test");
        MessageReceived m = new MessageReceived("4Xq1", Instant.parse("2026-01-05T10:30:41Z"), "alice@example.com",
                List.of(env), "HDRS", "ENV-1", 1234, "client.example.com", "192.0.2.9", 40000, "client", "ESMTP",
                null, "body", false, "8BITMIME", "<abc@example.com>", "smtp", "192.0.2.1", 25, "remote");
        DsnMessage dm = DsnInputs.message(m);
        assertEquals("4Xq1", dm.queueId());
        assertEquals("HDRS", dm.ret());
        assertEquals("ENV-1", dm.envid());
        assertTrue(dm.eightBit());
        assertEquals(1234, dm.size());

        RecipientDelivery bounced = new RecipientDelivery("bob@remote.test", DeliveryAttempted.Outcome.BOUNCED, "5.1.1",
                "host mx[192.0.2.1] said: 550 5.1.1 no (in reply to RCPT TO command)", "mx[192.0.2.1]:25", "mx",
                "550 5.1.1 no");
        DsnRecipient r = DsnInputs.recipient(bounced, env, null, null);
        assertEquals("failed", r.action());
        assertEquals("rfc822;bob@remote.test", r.orcpt());
        assertEquals("smtp", r.diagnosticType());
        assertEquals("550 5.1.1 no", r.diagnosticText());

        DsnRecipient local = DsnInputs.recipient(RecipientDelivery.deferred("bob@remote.test", "4.4.1",
                "connect to mx[192.0.2.1]:25: Connection refused"), env, "b@example.com", null);
        assertEquals("delayed", local.action());
        assertEquals("b@example.com", local.originalAddress());
        assertNull(local.diagnosticType());
    }
}
