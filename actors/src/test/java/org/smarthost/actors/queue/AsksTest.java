package org.smarthost.actors.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.pattern.StatusReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class AsksTest {

    static final ActorTestKit testKit = ActorTestKit.create();

    record Echo(String text, ActorRef<StatusReply<String>> replyTo) { }

    @AfterAll
    static void stop() {
        testKit.shutdownTestKit();
    }

    private final ActorRef<Echo> echo = testKit.spawn(Behaviors.receiveMessage(m -> {
        Thread.sleep(20); // the caller's callbacks are registered before the reply comes
        m.replyTo().tell(m.text().isEmpty() ? StatusReply.error("empty") : StatusReply.success(m.text()));
        return Behaviors.same();
    }));

    @Test
    void callbacksRunWhereTheReplyLandsNotOnTheCommonPool() throws Exception {
        for (int i = 0; i < 10; i++) {
            String thread = Asks.<Echo, String>askWithStatus(echo, r -> new Echo("hi", r), Duration.ofSeconds(5),
                            testKit.scheduler())
                    .thenApply(reply -> Thread.currentThread().getName())
                    .get(5, TimeUnit.SECONDS);
            // the echo actor's dispatcher thread, not the common pool (or, when that has one
            // thread, a new thread per callback)
            assertTrue(thread.contains("pekko.actor.default-dispatcher"), thread);
        }
    }

    @Test
    void repliesAndErrorsComeThrough() throws Exception {
        assertEquals("hi", Asks.<Echo, String>askWithStatus(echo, r -> new Echo("hi", r), Duration.ofSeconds(5),
                testKit.scheduler()).get(5, TimeUnit.SECONDS));
        ExecutionException e = assertThrows(ExecutionException.class, () -> Asks.<Echo, String>askWithStatus(echo,
                r -> new Echo("", r), Duration.ofSeconds(5), testKit.scheduler()).get(5, TimeUnit.SECONDS));
        assertTrue(e.getCause().getMessage().contains("empty"), e.getCause().toString());
    }
}
