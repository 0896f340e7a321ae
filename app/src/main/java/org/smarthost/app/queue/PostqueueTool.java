package org.smarthost.app.queue;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.smarthost.actors.queue.IndexEntry;
import org.smarthost.actors.queue.MessageActor;
import org.smarthost.actors.queue.QueueSystem;
import org.smarthost.persistence.queue.QueueName;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** postqueue(1): -p (mailq), -j, -f, -i queue_id, -s site. */
@Command(name = "postqueue")
final class PostqueueTool implements Callable<Integer> {

    static final String USAGE = "postqueue -f | postqueue -i queueid | postqueue -j | postqueue -p | postqueue -s site";

    @Option(names = "-p") boolean list;
    @Option(names = "-j") boolean json;
    @Option(names = "-f") boolean flush;
    @Option(names = "-i") List<String> ids;
    @Option(names = "-s") String site;
    @Option(names = "-c") String configDir;   // resolved by the launcher
    @Option(names = "-v") boolean[] verbose;

    private final QueueSystem queue;
    private final PrintWriter out;
    private final PrintWriter err;

    PostqueueTool(QueueSystem queue, PrintWriter out, PrintWriter err) {
        this.queue = queue;
        this.out = out;
        this.err = err;
    }

    @Override
    public Integer call() throws Exception {
        int modes = (list ? 1 : 0) + (json ? 1 : 0) + (flush ? 1 : 0) + (ids != null ? 1 : 0) + (site != null ? 1 : 0);
        if (modes != 1) {
            err.println("postqueue: fatal: usage: " + USAGE);
            return 1;
        }
        List<IndexEntry> all = ToolSupport.await(queue.list());
        if (list) {
            Showq.text(all, queue.settings().zone(), out);
        } else if (json) {
            Showq.json(all, out);
        } else if (flush) {
            queue.flushDeadDestinations();
            requeue(all.stream().filter(e -> e.queue() == QueueName.DEFERRED).map(IndexEntry::queueId).toList());
        } else if (site != null) {
            // As Postfix's flush(8) does for a site (UNTHROTTLE_BEFORE): every dead destination
            // comes back, then the site's deferred mail is requeued.
            queue.flushDeadDestinations();
            String domain = "@" + site.toLowerCase(Locale.ROOT);
            requeue(all.stream().filter(e -> e.queue() == QueueName.DEFERRED
                            && Arrays.stream(e.recipients()).anyMatch(r -> r.toLowerCase(Locale.ROOT).endsWith(domain)))
                    .map(IndexEntry::queueId).toList());
        } else {
            List<String> deferred = new ArrayList<>();
            for (String id : ids) {
                IndexEntry e = all.stream().filter(x -> x.queueId().equals(id)).findFirst().orElse(null);
                if (e != null && e.queue() == QueueName.DEFERRED) {
                    queue.flushDeadDestinationsOf(id);
                    deferred.add(id);
                }
            }
            requeue(deferred);
        }
        return 0;
    }

    /** Deferred messages become eligible now; their backoff still follows their age. */
    private void requeue(List<String> ids) throws Exception {
        ToolSupport.awaitEach(ids, id -> queue.admin(id, MessageActor.AdminAction.REQUEUE));
    }
}
