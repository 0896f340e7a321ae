package org.smarthost.actors.queue;

import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.smarthost.persistence.queue.EnvelopeRecipient;
import org.smarthost.persistence.queue.MessageReceived;

final class TestMessages {
    private TestMessages() { }

    static MessageReceived received(String queueId, String sender, String... rcpts) {
        List<EnvelopeRecipient> r = java.util.Arrays.stream(rcpts)
                .map(a -> new EnvelopeRecipient(a, Set.of("SUCCESS", "FAILURE"), "rfc822;" + a)).toList();
        return new MessageReceived(queueId, Instant.parse("2026-11-25T17:07:19Z"), sender, r, "HDRS", "env-1", 433,
                "localhost", "127.0.0.1", 39610, "client.example", "ESMTP", null, queueId, false, "8BITMIME",
                "<" + queueId + "@test>", "smtp", "127.0.0.1", 25, "local");
    }
}
