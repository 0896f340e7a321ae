package org.smarthost.actors.queue;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.Scheduler;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.japi.function.Function;
import org.apache.pekko.pattern.StatusReply;

/**
 * Pekko's ask, with the reply's callbacks run on the thread that delivers the reply.
 *
 * <p>Pekko hands back Scala's CompletionStage adapter, which turns every plain callback
 * (thenApply, handle, and the handle inside Pekko's own pipeToSelf) into its async variant on
 * ForkJoinPool.commonPool, so that callers cannot hold up the thread completing a Scala future.
 * For the queue that was one more thread to wake for each ask on each message's way (Accept,
 * GetState, RecordLast). Our callbacks are short and never block, so they run where the reply
 * lands instead.
 */
final class Asks {

    private Asks() {
    }

    static <Req, Res> CompletableFuture<Res> ask(RecipientRef<Req> target, Function<ActorRef<Res>, Req> message,
                                                 Duration timeout, Scheduler scheduler) {
        return direct(AskPattern.ask(target, message, timeout, scheduler));
    }

    static <Req, Res> CompletableFuture<Res> askWithStatus(RecipientRef<Req> target,
                                                           Function<ActorRef<StatusReply<Res>>, Req> message,
                                                           Duration timeout, Scheduler scheduler) {
        return direct(AskPattern.askWithStatus(target, message, timeout, scheduler));
    }

    /** A plain CompletableFuture completed on the thread that completes {@code stage}. */
    static <T> CompletableFuture<T> direct(CompletionStage<T> stage) {
        CompletableFuture<T> f = new CompletableFuture<>();
        // the explicit executor is the one way past the adapter's commonPool default
        stage.whenCompleteAsync((value, failure) -> {
            if (failure != null) f.completeExceptionally(failure);
            else f.complete(value);
        }, Runnable::run);
        return f;
    }
}
