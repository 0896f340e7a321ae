package org.smarthost.actors.delivery;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.smarthost.persistence.queue.DeliveryAttempted;

/** A delivery agent the test completes by hand, so deliveries overlap as the test decides. */
final class ControlledAgent implements DeliveryAgent {

    final BlockingQueue<DeliveryJob> started = new LinkedBlockingQueue<>();
    /** Each started job's on-demand connection caching decision, by job id. */
    final Map<String, Boolean> cacheConnection = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<DeliveryResult>> inFlight = new ConcurrentHashMap<>();

    @Override
    public CompletionStage<DeliveryResult> deliver(DeliveryJob job) {
        return deliver(job, false);
    }

    @Override
    public CompletionStage<DeliveryResult> deliver(DeliveryJob job, boolean cache) {
        cacheConnection.put(job.jobId(), cache);
        CompletableFuture<DeliveryResult> f = new CompletableFuture<>();
        inFlight.put(job.jobId(), f);
        started.add(job);
        return f;
    }

    DeliveryJob awaitStart() throws InterruptedException {
        DeliveryJob job = started.poll(10, TimeUnit.SECONDS);
        if (job == null) throw new AssertionError("no delivery started");
        return job;
    }

    void succeed(DeliveryJob job) {
        List<RecipientDelivery> rcpts = job.recipients().stream().map(r -> new RecipientDelivery(r.address(),
                DeliveryAttempted.Outcome.DELIVERED, "2.0.0", "250 2.0.0 Ok: queued as 4XyZ",
                "mx.remote.test[127.0.0.2]:25", "mx.remote.test", "250 2.0.0 Ok: queued as 4XyZ")).toList();
        complete(job, new DeliveryResult(rcpts, null, Duration.ofMillis(20), Duration.ofMillis(30)));
    }

    void failSite(DeliveryJob job, String reason) {
        DestinationProblem p = new DestinationProblem("4.4.1", reason);
        complete(job, DeliveryResult.allDeferred(job, p, reason));
    }

    void crash(DeliveryJob job) {
        CompletableFuture<DeliveryResult> f = inFlight.remove(job.jobId());
        f.completeExceptionally(new IllegalStateException("agent exploded"));
    }

    void complete(DeliveryJob job, DeliveryResult result) {
        CompletableFuture<DeliveryResult> f = inFlight.remove(job.jobId());
        if (f == null) throw new AssertionError("not in flight: " + job.jobId());
        f.complete(result);
    }
}
