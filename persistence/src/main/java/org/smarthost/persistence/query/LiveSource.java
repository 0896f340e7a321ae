package org.smarthost.persistence.query;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.function.Predicate;
import java.util.function.Supplier;

import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.SourceShape;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.AsyncCallback;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.stream.stage.TimerGraphStageLogic;
import org.smarthost.persistence.store.RocksStore;
import org.smarthost.persistence.store.StoreChange;

/**
 * A source that pages through the store. A "current" query completes when a page comes back
 * empty; a live query then waits until the journal commits a relevant change (pushed by the
 * store, no busy polling) or the refresh interval passes (a fallback only), and reads on.
 * Reads are local RocksDB lookups of at most one page, so they run inside the stage.
 */
final class LiveSource<T> extends GraphStage<SourceShape<T>> {

    private final Outlet<T> out = Outlet.create("LiveSource.out");
    private final SourceShape<T> shape = SourceShape.of(out);
    private final RocksStore store;
    private final Supplier<PageReader<T>> readerFactory;
    private final boolean live;
    private final Predicate<StoreChange> relevant;
    private final Duration refreshInterval;

    LiveSource(RocksStore store, Supplier<PageReader<T>> readerFactory, boolean live,
            Predicate<StoreChange> relevant, Duration refreshInterval) {
        this.store = store;
        this.readerFactory = readerFactory;
        this.live = live;
        this.relevant = relevant;
        this.refreshInterval = refreshInterval;
    }

    @Override
    public SourceShape<T> shape() {
        return shape;
    }

    @Override
    public GraphStageLogic createLogic(Attributes attributes) {
        return new TimerGraphStageLogic(shape) {
            private final ArrayDeque<T> buffer = new ArrayDeque<>();
            private PageReader<T> reader;
            private Runnable unsubscribe = () -> { };

            {
                setHandler(out, new AbstractOutHandler() {
                    @Override
                    public void onPull() {
                        deliver();
                    }
                });
            }

            @Override
            public void preStart() {
                reader = readerFactory.get();
                if (live) {
                    // subscribe before the first read, so no commit can fall between read and wait
                    AsyncCallback<StoreChange> changed = createAsyncCallback(change -> deliver());
                    unsubscribe = store.subscribe(change -> {
                        if (relevant.test(change)) {
                            changed.invoke(change);
                        }
                    });
                    scheduleWithFixedDelay("refresh", refreshInterval, refreshInterval);
                }
            }

            @Override
            public void onTimer(Object key) {
                deliver();
            }

            private void deliver() {
                if (!isAvailable(out)) {
                    return;
                }
                if (buffer.isEmpty() && !reader.finished()) {
                    buffer.addAll(reader.next());
                }
                if (!buffer.isEmpty()) {
                    push(out, buffer.poll());
                } else if (reader.finished() || !live) {
                    completeStage();
                }
            }

            @Override
            public void postStop() {
                unsubscribe.run();
            }
        };
    }
}
