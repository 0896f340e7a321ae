package org.smarthost.persistence;

/**
 * Marker for every event, state and command that crosses the journal, a snapshot or the wire.
 * persistence's reference.conf binds it to pekko-serialization-jackson's {@code jackson-cbor}
 * serializer, so implementing it is all a record needs to be stored.
 *
 * <p>Versioning: stored events live longer than the code that wrote them. Adding a field with a
 * default (or an {@code Optional}) needs nothing. Renaming a class or a field, or changing a type,
 * needs a {@code org.apache.pekko.serialization.jackson.JacksonMigration} subclass registered under
 * {@code pekko.serialization.jackson.migrations} in the owning module's reference.conf: it declares
 * {@code currentVersion()}, rewrites old JSON trees in {@code transform(fromVersion, json)} and maps
 * old class names in {@code transformClassName}. Never reuse a removed event's class name for
 * different content. A record that still cannot be read is moved to the {@code corrupt} column
 * family by the journal (see {@code org.smarthost.persistence.store.CorruptQueue}) instead of
 * failing recovery.
 */
public interface CborSerializable {
}
