package org.smarthost.actors.queue;

import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByPersistenceIdQuery;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByTagQuery;
import org.apache.pekko.persistence.query.javadsl.ReadJournal;
import org.apache.pekko.stream.javadsl.Source;
import org.smarthost.persistence.queue.QueueEvent;

/** The read-journal queries the queue needs, from whichever plugin is configured. */
public final class QueueQueries {

    private final CurrentEventsByTagQuery byTag;
    private final CurrentEventsByPersistenceIdQuery byId;

    private QueueQueries(ReadJournal journal) {
        this.byTag = (CurrentEventsByTagQuery) journal;
        this.byId = (CurrentEventsByPersistenceIdQuery) journal;
    }

    public static QueueQueries of(ActorSystem<?> system, String readJournalPluginId) {
        return new QueueQueries(PersistenceQuery.get(system).getReadJournalFor(ReadJournal.class, readJournalPluginId));
    }

    /** Every queue event stored so far, for rebuilding the index. */
    public Source<EventEnvelope, NotUsed> allQueueEvents() {
        return byTag.currentEventsByTag(QueueEvent.TAG, Offset.noOffset());
    }

    /** The history of one message, in order. */
    public Source<EventEnvelope, NotUsed> history(String queueId) {
        return byId.currentEventsByPersistenceId(QueueEvent.persistenceId(queueId), 0L, Long.MAX_VALUE);
    }
}
