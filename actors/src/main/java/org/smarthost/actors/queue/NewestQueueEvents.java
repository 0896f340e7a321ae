package org.smarthost.actors.queue;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.smarthost.persistence.query.CurrentEventHeadersByTagQuery.EventHeader;
import org.smarthost.persistence.queue.MessageCompleted;
import org.smarthost.persistence.queue.MessageDeleted;
import org.smarthost.persistence.queue.MessageReceived;
import org.smarthost.persistence.queue.QueueEvent;

/**
 * A running server's background read of the queue events since its previous read, folded from
 * the events' headers: per message whether it arrived or finished in the read, its first tag
 * offset and newest sequence number. That is all the checkpoint needs, and under load such a
 * read covers a minute of mail (every event of every message): deserializing each event, as the
 * start-up rebuild must, was two thirds of its CPU.
 */
final class NewestQueueEvents extends QueueEventsRead {

    private static final String PID_PREFIX = QueueEvent.persistenceId("");
    private static final Set<String> QUEUE_EVENTS = Arrays.stream(QueueEvent.class.getPermittedSubclasses())
            .map(Class::getName).collect(Collectors.toUnmodifiableSet());
    private static final String RECEIVED = MessageReceived.class.getName();
    private static final Set<String> FINISHING = Set.of(MessageCompleted.class.getName(),
            MessageDeleted.class.getName());

    private static final class Seen {
        final long firstOffset;
        long seqNr;
        boolean arrived;
        boolean finished;

        Seen(long firstOffset) {
            this.firstOffset = firstOffset;
        }
    }

    private final Map<String, Seen> messages = new HashMap<>();

    /** An empty read that began after {@code afterOffset}. */
    NewestQueueEvents(long afterOffset) {
        super(afterOffset);
    }

    /** Sink.fold's step. */
    static NewestQueueEvents fold(NewestQueueEvents acc, EventHeader header) {
        acc.add(header);
        return acc;
    }

    void add(EventHeader header) {
        long offset = read(header.offset());
        if (!QUEUE_EVENTS.contains(header.eventClass()) || !header.persistenceId().startsWith(PID_PREFIX)) return;
        long first = offset;
        Seen m = messages.computeIfAbsent(header.persistenceId().substring(PID_PREFIX.length()), id -> new Seen(first));
        m.seqNr = Math.max(m.seqNr, header.sequenceNr());
        if (FINISHING.contains(header.eventClass())) {
            m.finished = true; // nothing brings a finished message back
        } else if (RECEIVED.equals(header.eventClass())) {
            m.arrived = true;
        }
    }

    @Override
    void forEachMessage(MessageSeen action) {
        messages.forEach((id, m) -> action.accept(id, m.finished, m.arrived && !m.finished, m.firstOffset));
    }

    @Override
    long newestSeqNr(String queueId) {
        Seen m = messages.get(queueId);
        return m == null ? -1 : m.seqNr;
    }
}
