package org.smarthost.persistence.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;

/** Every queue event survives the journal's serializer (jackson-cbor via CborSerializable). */
class QueueEventSerializationTest {

    static final ActorTestKit testKit = ActorTestKit.create();
    static final Instant T = Instant.parse("2026-11-25T17:07:19.523634Z");
    static final String ID = "4jZR1g3jdtzJ9Gy";

    @AfterAll
    static void stop() {
        testKit.shutdownTestKit();
    }

    @Test
    void allEventsRoundTripThroughCbor() {
        List<QueueEvent> events = List.of(
                new MessageReceived(ID, T, "", List.of(new EnvelopeRecipient("bob@example.net",
                        Set.of("SUCCESS", "DELAY"), "rfc822;bob@example.net"), new EnvelopeRecipient("c@d", Set.of(), null)),
                        "FULL", "env\u00e9", 433, "unknown", "::1", 0, null, "ESMTPA", "alice", ID, true, "8BITMIME",
                        null, "submission", "::1", 587, "remote"),
                new MessageHeld(ID, T, "spam?"),
                new MessageReleased(ID, T),
                new MessageRequeued(ID, T),
                new DeliveryAttempted(ID, T, "smtp:[relay.example]:587", 3, List.of(
                        new DeliveryAttempted.RecipientOutcome("bob@example.net", DeliveryAttempted.Outcome.BOUNCED,
                                "5.1.1", "host relay.example[192.0.2.1] said: 550 5.1.1 no such user",
                                "relay.example[192.0.2.1]:587", new DeliveryAttempted.Delays(0.5, 0.01, 0.2, 0.1)))),
                new DelayWarningSent(ID, T, "4jZR1g3jdtzJ9H0", List.of("bob@example.net")),
                new BounceQueued(ID, T, "4jZR1g3jdtzJ9H1", List.of("bob@example.net")),
                new MessageExpired(ID, T),
                new MessageCorrupted(ID, T, "body missing"),
                new MessageDeleted(ID, T),
                new MessageCompleted(ID, T));
        Serialization serialization = SerializationExtension.get(testKit.system().classicSystem());
        for (QueueEvent e : events) {
            Serializer s = serialization.findSerializerFor(e);
            assertEquals("JacksonCborSerializer", s.getClass().getSimpleName(), e.toString());
            byte[] bytes = s.toBinary(e);
            String manifest = Serializers.manifestFor(s, e);
            Object back = serialization.deserialize(bytes, s.identifier(), manifest).get();
            assertEquals(e, back);
        }
    }

    /** A MessageReceived written before server_address, server_port and rewrite_context were recorded still reads, without them. */
    @Test
    void messageReceivedWithoutServerAddressStillReads() throws Exception {
        MessageReceived now = new MessageReceived(ID, T, "a@b", List.of(new EnvelopeRecipient("c@d", Set.of(), null)),
                null, null, 433, "localhost", "127.0.0.1", 4711, "helo", "ESMTP", null, ID, false, null, null, "smtp",
                "127.0.0.1", 25, "local");
        Serialization serialization = SerializationExtension.get(testKit.system().classicSystem());
        Serializer s = serialization.findSerializerFor(now);
        CBORMapper cbor = new CBORMapper();
        @SuppressWarnings("unchecked")
        Map<String, Object> fields = cbor.readValue(s.toBinary(now), Map.class);
        assertEquals("127.0.0.1", fields.remove("serverAddress"));
        assertEquals(25, fields.remove("serverPort"));
        assertEquals("local", fields.remove("rewriteContext"));
        Object back = serialization.deserialize(cbor.writeValueAsBytes(fields), s.identifier(),
                Serializers.manifestFor(s, now)).get();
        assertEquals(new MessageReceived(ID, T, "a@b", now.recipients(), null, null, 433, "localhost", "127.0.0.1", 4711,
                "helo", "ESMTP", null, ID, false, null, null, "smtp", null, 0, null), back);
    }
}
