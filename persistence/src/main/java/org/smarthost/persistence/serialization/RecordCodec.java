package org.smarthost.persistence.serialization;

import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.persistence.PersistentRepr;
import org.apache.pekko.persistence.serialization.MessageFormats;
import org.apache.pekko.persistence.serialization.Snapshot;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;

import scala.util.Try;

/**
 * Bytes for the store. Events are stored as Pekko's {@code PersistentRepr} message format, whose
 * payload is written by the payload's own serializer ({@code jackson-cbor} for every
 * {@link org.smarthost.persistence.CborSerializable}) with its manifest; snapshots use Pekko's
 * snapshot envelope. Decoding never throws anything but {@link UnreadableRecordException}, so a
 * caller can move the record to the corrupt queue and go on.
 */
public final class RecordCodec {

    private final Serialization serialization;

    public RecordCodec(Serialization serialization) {
        this.serialization = serialization;
    }

    public static RecordCodec of(ActorSystem system) {
        return new RecordCodec(SerializationExtension.get(system));
    }

    public byte[] encodeEvent(PersistentRepr repr) {
        return serialization.serialize(repr).get();
    }

    public PersistentRepr decodeEvent(byte[] bytes) throws UnreadableRecordException {
        return decode(bytes, PersistentRepr.class);
    }

    /**
     * Who wrote an event and the class of its payload, without deserializing the payload: the
     * {@code PersistentRepr} message format's own fields. For reads that only need to know which
     * messages arrived and which finished: the payload's Jackson parse and class lookup are most
     * of the cost of a full decode.
     */
    public EventHeader decodeEventHeader(byte[] bytes) throws UnreadableRecordException {
        try {
            MessageFormats.PersistentMessage m = MessageFormats.PersistentMessage.parseFrom(bytes);
            if (!m.hasPayload() || !m.hasPersistenceId()) {
                throw new UnreadableRecordException("not an event record: no payload or persistence id", null);
            }
            MessageFormats.PersistentPayload payload = m.getPayload();
            String manifest = payload.hasPayloadManifest() ? payload.getPayloadManifest().toStringUtf8() : "";
            if (manifest.isEmpty()) {
                // a serializer without a string manifest: only the payload itself can tell its class
                return new EventHeader(m.getPersistenceId(), m.getSequenceNr(),
                        decodeEvent(bytes).payload().getClass().getName());
            }
            int version = manifest.indexOf('#'); // Jackson's "class#schema version" after a migration
            return new EventHeader(m.getPersistenceId(), m.getSequenceNr(),
                    version < 0 ? manifest : manifest.substring(0, version));
        } catch (org.apache.pekko.protobufv3.internal.InvalidProtocolBufferException e) {
            throw new UnreadableRecordException(describe(e), e);
        }
    }

    /** What {@link #decodeEventHeader} reads of a stored event. */
    public record EventHeader(String persistenceId, long sequenceNr, String eventClass) { }

    public byte[] encodeSnapshot(Object snapshot) {
        return serialization.serialize(new Snapshot(snapshot)).get();
    }

    public Object decodeSnapshot(byte[] bytes) throws UnreadableRecordException {
        return decode(bytes, Snapshot.class).data();
    }

    private <T> T decode(byte[] bytes, Class<T> type) throws UnreadableRecordException {
        try {
            Try<T> result = serialization.deserialize(bytes, type);
            if (result.isFailure()) {
                throw new UnreadableRecordException(describe(result.failed().get()), result.failed().get());
            }
            return result.get();
        } catch (UnreadableRecordException e) {
            throw e;
        } catch (RuntimeException | LinkageError e) {
            throw new UnreadableRecordException(describe(e), e);
        }
    }

    private static String describe(Throwable t) {
        String m = t.getMessage();
        return t.getClass().getSimpleName() + (m == null ? "" : ": " + m.lines().findFirst().orElse(""));
    }
}
