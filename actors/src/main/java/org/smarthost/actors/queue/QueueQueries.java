package org.smarthost.actors.queue;

import java.util.concurrent.CompletionStage;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByPersistenceIdQuery;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByTagQuery;
import org.apache.pekko.persistence.query.javadsl.ReadJournal;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.smarthost.persistence.query.CurrentEventHeadersByTagQuery;
import org.smarthost.persistence.query.CurrentEventHeadersByTagQuery.EventHeader;
import org.smarthost.persistence.queue.QueueEvent;
import org.smarthost.persistence.queue.QueueIndexCheckpointed;

/** The read-journal queries the queue needs, from whichever plugin is configured. */
public final class QueueQueries {

    private final CurrentEventsByTagQuery byTag;
    private final CurrentEventsByPersistenceIdQuery byId;
    private final CurrentEventHeadersByTagQuery headersByTag; // null: the plugin has no such query

    private QueueQueries(ReadJournal journal) {
        this.byTag = (CurrentEventsByTagQuery) journal;
        this.byId = (CurrentEventsByPersistenceIdQuery) journal;
        this.headersByTag = journal instanceof CurrentEventHeadersByTagQuery h ? h : null;
    }

    public static QueueQueries of(ActorSystem<?> system, String readJournalPluginId) {
        return new QueueQueries(PersistenceQuery.get(system).getReadJournalFor(ReadJournal.class, readJournalPluginId));
    }

    /**
     * Every queue event stored so far after tag offset {@code afterOffset} (0: all of them), for
     * rebuilding the index.
     */
    public Source<EventEnvelope, NotUsed> queueEventsAfter(long afterOffset) {
        return byTag.currentEventsByTag(QueueEvent.TAG, after(afterOffset));
    }

    /**
     * The headers of the queue events stored so far after tag offset {@code afterOffset}: the
     * plugin's own query when it has one, else taken from the events.
     */
    public Source<EventHeader, NotUsed> queueEventHeadersAfter(long afterOffset) {
        if (headersByTag != null) return headersByTag.currentEventHeadersByTag(QueueEvent.TAG, after(afterOffset));
        return queueEventsAfter(afterOffset).map(e -> new EventHeader(e.offset(),
                e.persistenceId(), e.sequenceNr(), e.event().getClass().getName()));
    }

    /** Where the last rebuild said the next one may begin (0: at the start of the journal). */
    public CompletionStage<Long> indexCheckpoint(ActorSystem<?> system) {
        return byId.currentEventsByPersistenceId(QueueIndexCheckpointed.PERSISTENCE_ID, 0L, Long.MAX_VALUE)
                .map(e -> e.event() instanceof QueueIndexCheckpointed c ? c.afterOffset() : 0L)
                .runWith(Sink.fold(0L, Math::max), system);
    }

    /** The history of one message, in order. */
    public Source<EventEnvelope, NotUsed> history(String queueId) {
        return byId.currentEventsByPersistenceId(QueueEvent.persistenceId(queueId), 0L, Long.MAX_VALUE);
    }

    private static Offset after(long offset) {
        return offset <= 0 ? Offset.noOffset() : Offset.sequence(offset);
    }
}
