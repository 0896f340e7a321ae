package org.smarthost.persistence;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;

/** A minimal event-sourced entity for journal tests: appends texts, tags every event "counter". */
public final class Counter extends EventSourcedBehavior<Counter.Command, TestEvent, Counter.State> {

    public sealed interface Command {
    }

    public record Add(String text, ActorRef<Integer> replyTo) implements Command {
    }

    public record Get(ActorRef<List<String>> replyTo) implements Command {
    }

    public record State(List<String> texts) {
        State with(String text) {
            List<String> t = new ArrayList<>(texts);
            t.add(text);
            return new State(List.copyOf(t));
        }
    }

    public Counter(String id) {
        super(PersistenceId.ofUniqueId(id));
    }

    @Override
    public State emptyState() {
        return new State(List.of());
    }

    @Override
    public CommandHandler<Command, TestEvent, State> commandHandler() {
        return newCommandHandlerBuilder().forAnyState()
                .onCommand(Add.class, (state, add) -> Effect()
                        .persist(new TestEvent(add.text(), state.texts().size() + 1))
                        .thenReply(add.replyTo(), s -> s.texts().size()))
                .onCommand(Get.class, (state, get) -> Effect().reply(get.replyTo(), state.texts()))
                .build();
    }

    @Override
    public EventHandler<State, TestEvent> eventHandler() {
        return newEventHandlerBuilder().forAnyState()
                .onEvent(TestEvent.class, (state, e) -> state.with(e.text()))
                .build();
    }

    @Override
    public Set<String> tagsFor(TestEvent event) {
        return Set.of("counter");
    }
}
