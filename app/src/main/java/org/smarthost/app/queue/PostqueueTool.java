package org.smarthost.app.queue;

import java.io.PrintWriter;
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
            for (IndexEntry e : all) if (e.queue() == QueueName.DEFERRED) requeue(e.queueId());
        } else if (site != null) {
            // As Postfix's flush(8) does for a site (UNTHROTTLE_BEFORE): every dead destination
            // comes back, then the site's deferred mail is requeued.
            queue.flushDeadDestinations();
            String domain = site.toLowerCase(Locale.ROOT);
            for (IndexEntry e : all) {
                if (e.queue() != QueueName.DEFERRED) continue;
                for (String r : e.recipients()) {
                    if (r.toLowerCase(Locale.ROOT).endsWith("@" + domain)) {
                        requeue(e.queueId());
                        break;
                    }
                }
            }
        } else {
            for (String id : ids) {
                IndexEntry e = all.stream().filter(x -> x.queueId().equals(id)).findFirst().orElse(null);
                if (e != null && e.queue() == QueueName.DEFERRED) {
                    queue.flushDeadDestinationsOf(id);
                    requeue(id);
                }
            }
        }
        return 0;
    }

    /** A deferred message becomes eligible now; its backoff still follows its age. */
    private void requeue(String id) throws Exception {
        ToolSupport.await(queue.admin(id, MessageActor.AdminAction.REQUEUE));
    }
}
