package org.smarthost.persistence.journal;

/** An event's header found through the tag index, with its global offset (see {@link EventLog#headersByTag}). */
public record TaggedHeader(long offset, String persistenceId, long sequenceNr, String eventClass) {
}
