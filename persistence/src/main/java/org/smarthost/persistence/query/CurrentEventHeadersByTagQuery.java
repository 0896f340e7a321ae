package org.smarthost.persistence.query;

import org.apache.pekko.NotUsed;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.persistence.query.javadsl.ReadJournal;
import org.apache.pekko.stream.javadsl.Source;

/**
 * As Pekko's {@code CurrentEventsByTagQuery}, with the header of each event instead of the
 * event: for readers that only need to know who wrote what kind of event where, and would
 * otherwise pay for deserializing every payload.
 */
public interface CurrentEventHeadersByTagQuery extends ReadJournal {

    /** The headers of the events tagged {@code tag} stored so far after {@code offset}, in offset order. */
    Source<EventHeader, NotUsed> currentEventHeadersByTag(String tag, Offset offset);

    /** An event's envelope without the event: its offset, writer, sequence number and class name. */
    record EventHeader(Offset offset, String persistenceId, long sequenceNr, String eventClass) { }
}
