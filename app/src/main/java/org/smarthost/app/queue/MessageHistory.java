package org.smarthost.app.queue;

import java.util.List;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.smarthost.actors.queue.QueueSystem;
import org.smarthost.persistence.queue.MessageState;
import org.smarthost.persistence.queue.QueueEvent;

/** The journaled events of one message, read with currentEventsByPersistenceId. */
record MessageHistory(String queueId, List<EventEnvelope> envelopes) {

    static MessageHistory load(QueueSystem queue, String queueId) throws Exception {
        List<EventEnvelope> events = ToolSupport.await(
                queue.queries().history(queueId).runWith(org.apache.pekko.stream.javadsl.Sink.seq(), queue.system()));
        return new MessageHistory(queueId, events);
    }

    boolean isEmpty() {
        return envelopes.isEmpty();
    }

    MessageState state() {
        MessageState s = MessageState.incoming(queueId);
        for (EventEnvelope e : envelopes) {
            if (e.event() instanceof QueueEvent q) s = s.apply(q);
        }
        return s;
    }
}
