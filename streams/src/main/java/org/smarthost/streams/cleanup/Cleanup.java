package org.smarthost.streams.cleanup;

import java.util.concurrent.CompletionStage;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.util.ByteString;

/** Entry point: the cleanup flow for one message. */
public final class Cleanup {
    private Cleanup() { }

    /**
     * The message content in, the queued content out. The materialized value completes with
     * the result once the input completed, or fails with {@link CleanupRejected}.
     */
    public static Flow<ByteString, ByteString, CompletionStage<CleanupResult>> flow(
            CleanupSettings settings, CleanupEnvelope envelope) {
        return Flow.fromGraph(new CleanupStage(settings, envelope));
    }
}
