package org.smarthost.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.persistence.AtomicWrite;
import org.apache.pekko.persistence.JournalProtocol;
import org.apache.pekko.persistence.Persistence;
import org.apache.pekko.persistence.PersistentEnvelope;
import org.apache.pekko.persistence.PersistentRepr;

import com.typesafe.config.ConfigFactory;

import scala.jdk.javaapi.CollectionConverters;

/** Speaks Pekko's journal protocol to the real plugin actor, as a persistent actor would. */
public final class JournalProbe {

    public static final Duration TIMEOUT = Duration.ofSeconds(10);
    private final ActorRef journal;
    private final TestProbe<Object> probe;
    private final ActorRef self;

    public JournalProbe(ActorTestKit kit) {
        this.journal = Persistence.get(Adapter.toClassic(kit.system()))
                .journalFor("smarthost.journal.rocksdb", ConfigFactory.empty());
        this.probe = kit.createTestProbe();
        this.self = Adapter.toClassic(probe.ref());
    }

    public static PersistentRepr repr(String pid, long seq, Object payload) {
        return PersistentRepr.apply(payload, seq, pid, "", false, ActorRef.noSender(), "writer-1");
    }

    public static AtomicWrite atomic(PersistentRepr... events) {
        return AtomicWrite.apply(CollectionConverters.asScala(List.of(events)).toList());
    }

    /** Sends one WriteMessages and returns one reply per event (WriteMessageSuccess/Rejected/Failure). */
    public List<Object> write(AtomicWrite... writes) {
        List<PersistentEnvelope> envelopes = List.of(writes);
        journal.tell(new JournalProtocol.WriteMessages(CollectionConverters.asScala(envelopes).toList(), self, 1),
                self);
        Object first = probe.receiveMessage(TIMEOUT);
        List<Object> replies = new ArrayList<>();
        if (first instanceof JournalProtocol.WriteMessagesFailed) {
            replies.add(first);
            return replies;
        }
        assertInstanceOf(JournalProtocol.WriteMessagesSuccessful$.class, first);
        int events = 0;
        for (AtomicWrite w : writes) {
            events += w.size();
        }
        for (int i = 0; i < events; i++) {
            replies.add(probe.receiveMessage(TIMEOUT));
        }
        return replies;
    }

    public record Replay(List<PersistentRepr> events, long highest) {
        public List<Long> seqs() {
            return events.stream().map(PersistentRepr::sequenceNr).toList();
        }

        public List<Object> payloads() {
            return events.stream().map(PersistentRepr::payload).toList();
        }
    }

    public Replay replay(String pid, long from, long to, long max) {
        journal.tell(new JournalProtocol.ReplayMessages(from, to, max, pid, self), self);
        List<PersistentRepr> events = new ArrayList<>();
        while (true) {
            Object m = probe.receiveMessage(TIMEOUT);
            if (m instanceof JournalProtocol.ReplayedMessage r) {
                events.add(r.persistent());
            } else if (m instanceof JournalProtocol.RecoverySuccess s) {
                return new Replay(events, s.highestSequenceNr());
            } else {
                throw new AssertionError("unexpected " + m);
            }
        }
    }

    public Replay replayAll(String pid) {
        return replay(pid, 1, Long.MAX_VALUE, Long.MAX_VALUE);
    }

    public void deleteTo(String pid, long toSeq) {
        journal.tell(new JournalProtocol.DeleteMessagesTo(pid, toSeq, self), self);
        Object m = probe.receiveMessage(TIMEOUT);
        assertInstanceOf(org.apache.pekko.persistence.DeleteMessagesSuccess.class, m);
        assertEquals(toSeq, ((org.apache.pekko.persistence.DeleteMessagesSuccess) m).toSequenceNr());
    }
}
