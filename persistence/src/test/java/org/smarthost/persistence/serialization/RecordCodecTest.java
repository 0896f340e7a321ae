package org.smarthost.persistence.serialization;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;

import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.persistence.serialization.MessageFormats;
import org.apache.pekko.protobufv3.internal.ByteString;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.smarthost.persistence.TestStores;

/** An event's header read from the stored bytes without its payload. */
class RecordCodecTest {

    @TempDir
    Path dir;
    private ActorTestKit kit;
    private RecordCodec codec;

    @BeforeEach
    void start() {
        kit = TestStores.testKit(dir);
        codec = RecordCodec.of(Adapter.toClassic(kit.system()));
    }

    @AfterEach
    void stop() {
        kit.shutdownTestKit();
    }

    private static byte[] stored(String manifest) {
        return MessageFormats.PersistentMessage.newBuilder()
                .setPersistenceId("message|4XyzABC").setSequenceNr(7)
                .setPayload(MessageFormats.PersistentPayload.newBuilder().setSerializerId(33)
                        .setPayloadManifest(ByteString.copyFromUtf8(manifest))
                        .setPayload(ByteString.copyFromUtf8("not read")))
                .build().toByteArray();
    }

    @Test
    void theHeaderComesFromTheRecordAndThePayloadsManifest() throws Exception {
        assertEquals(new RecordCodec.EventHeader("message|4XyzABC", 7, "org.smarthost.persistence.queue.MessageHeld"),
                codec.decodeEventHeader(stored("org.smarthost.persistence.queue.MessageHeld")));
        assertEquals("org.smarthost.persistence.queue.MessageHeld",
                codec.decodeEventHeader(stored("org.smarthost.persistence.queue.MessageHeld#2")).eventClass(),
                "a schema version after a Jackson migration is not part of the class name");
    }

    @Test
    void bytesThatAreNoEventRecordAreUnreadable() {
        assertThrows(UnreadableRecordException.class, () -> codec.decodeEventHeader(new byte[] {0, 1, 2}));
        assertThrows(UnreadableRecordException.class, () -> codec.decodeEventHeader(
                MessageFormats.PersistentMessage.newBuilder().setSequenceNr(1).build().toByteArray()));
    }
}
