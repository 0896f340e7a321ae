package org.smarthost.streams.cleanup;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.FlowShape;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.stage.AbstractGraphStageWithMaterializedValue;
import org.apache.pekko.stream.stage.AbstractInHandler;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.util.ByteString;

/**
 * {@link CleanupProcessor} as a stream stage over the message content, for messages too big to
 * hold whole: it pulls the next chunk only when its output has been taken. A rejection fails
 * the stream with {@link CleanupRejected}.
 */
public final class CleanupStage
        extends AbstractGraphStageWithMaterializedValue<FlowShape<ByteString, ByteString>, CompletionStage<CleanupResult>> {

    private final Inlet<ByteString> in = Inlet.create("cleanup.in");
    private final Outlet<ByteString> out = Outlet.create("cleanup.out");
    private final FlowShape<ByteString, ByteString> shape = FlowShape.of(in, out);
    private final CleanupSettings settings;
    private final CleanupEnvelope envelope;

    public CleanupStage(CleanupSettings settings, CleanupEnvelope envelope) {
        this.settings = settings;
        this.envelope = envelope;
    }

    @Override
    public FlowShape<ByteString, ByteString> shape() {
        return shape;
    }

    @Override
    public Pair<GraphStageLogic, CompletionStage<CleanupResult>> createLogicAndMaterializedValuePair(Attributes attrs) {
        CompletableFuture<CleanupResult> result = new CompletableFuture<>();
        return Pair.create(new Logic(result), result);
    }

    private final class Logic extends GraphStageLogic {
        private final CompletableFuture<CleanupResult> result;
        private CleanupProcessor cleanup;
        private final boolean dropsContent = !settings.checks().isEmpty();

        Logic(CompletableFuture<CleanupResult> result) {
            super(shape);
            this.result = result;
            setHandler(in, new AbstractInHandler() {
                @Override
                public void onPush() {
                    ByteString bytes;
                    try {
                        bytes = cleanup.push(grab(in));
                    } catch (CleanupRejected r) {
                        reject(r);
                        return;
                    }
                    if (!bytes.isEmpty() || dropsContent) {
                        // With content checks, input may be deleted (IGNORE) without output: the
                        // empty output still tells downstream that the input was consumed.
                        push(out, bytes);
                    } else {
                        pull(in);
                    }
                }

                @Override
                public void onUpstreamFinish() {
                    ByteString rest;
                    try {
                        rest = cleanup.finish();
                    } catch (CleanupRejected r) {
                        reject(r);
                        return;
                    }
                    result.complete(cleanup.result());
                    if (rest.isEmpty()) {
                        completeStage();
                    } else {
                        emit(out, rest);
                        complete(out);
                    }
                }

                @Override
                public void onUpstreamFailure(Throwable ex) {
                    result.completeExceptionally(ex);
                    failStage(ex);
                }
            });
            setHandler(out, new AbstractOutHandler() {
                @Override
                public void onPull() {
                    if (!hasBeenPulled(in) && !isClosed(in)) pull(in);
                }

                @Override
                public void onDownstreamFinish(Throwable cause) {
                    result.completeExceptionally(cause);
                    cancelStage(cause);
                }
            });
        }

        @Override
        public void preStart() {
            // the Received: header it starts with is output: made here, where a failure fails the stage
            cleanup = new CleanupProcessor(settings, envelope);
        }

        private void reject(CleanupRejected r) {
            result.completeExceptionally(r);
            failStage(r);
        }
    }
}
