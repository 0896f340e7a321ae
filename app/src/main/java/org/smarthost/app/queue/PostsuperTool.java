package org.smarthost.app.queue;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.smarthost.actors.queue.IndexEntry;
import org.smarthost.actors.queue.MessageActor.AdminAction;
import org.smarthost.actors.queue.MessageActor.AdminResult;
import org.smarthost.actors.queue.QueueSystem;
import org.smarthost.persistence.queue.QueueIdGenerator;
import org.smarthost.persistence.queue.QueueName;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * postsuper(1): -d, -h, -H, -r, -e, -f with a queue ID or ALL, optionally limited to queues.
 * Messages go to stderr and to the log, worded as Postfix's.
 */
@Command(name = "postsuper")
final class PostsuperTool implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger("postfix/postsuper");

    static final String USAGE = "postsuper [-c config_dir] [-d queue_id (delete)] [-e queue_id (expire)] "
            + "[-f queue_id (expire and/or un-hold)] [-h queue_id (hold)] [-H queue_id (un-hold)] "
            + "[-p (purge temporary files)] [-r queue_id (requeue)] [-s (structure fix)] "
            + "[-S (redundant structure fix)][-v (verbose)] [queue...]";

    private static final Set<QueueName> ALL_QUEUES =
            EnumSet.of(QueueName.HOLD, QueueName.INCOMING, QueueName.ACTIVE, QueueName.DEFERRED);

    @Option(names = "-d") List<String> delete = new ArrayList<>();
    @Option(names = "-e") List<String> expire = new ArrayList<>();
    @Option(names = "-f") List<String> forceExpire = new ArrayList<>();
    @Option(names = "-h") List<String> hold = new ArrayList<>();
    @Option(names = "-H") List<String> release = new ArrayList<>();
    @Option(names = "-r") List<String> requeue = new ArrayList<>();
    @Option(names = "-p") boolean purge;      // no temporary files exist: nothing to do
    @Option(names = "-s") boolean structure;  // no queue directories exist: nothing to fix
    @Option(names = "-S") boolean redundantStructure;
    @Option(names = "-c") String configDir;
    @Option(names = "-v") boolean[] verbose;
    @Parameters List<String> queueNames = new ArrayList<>();

    private final QueueSystem queue;
    private final PrintWriter err;
    private List<IndexEntry> index;

    PostsuperTool(QueueSystem queue, PrintWriter out, PrintWriter err) {
        this.queue = queue;
        this.err = err;
    }

    @Override
    public Integer call() throws Exception {
        Set<QueueName> limit = null;
        for (String name : queueNames) {
            QueueName q = switch (name) {
                case "hold" -> QueueName.HOLD;
                case "incoming" -> QueueName.INCOMING;
                case "active" -> QueueName.ACTIVE;
                case "deferred" -> QueueName.DEFERRED;
                case "maildrop" -> null;
                default -> {
                    err.println("postsuper: fatal: invalid directory name: " + name);
                    yield QueueName.DONE;
                }
            };
            if (q == QueueName.DONE) return 1;
            if (limit == null) limit = EnumSet.noneOf(QueueName.class);
            if (q != null) limit.add(q);
        }
        index = ToolSupport.await(queue.list());

        if (!delete.isEmpty()) {
            int n = apply(delete, limit, ALL_QUEUES, AdminAction.DELETE, "removed");
            summary("Deleted: " + ToolSupport.plural(n));
        }
        if (!expire.isEmpty()) {
            int n = apply(expire, limit, ALL_QUEUES, AdminAction.EXPIRE, "expired");
            summary("Force-expired: " + ToolSupport.plural(n));
        }
        if (!forceExpire.isEmpty()) {
            int n = apply(forceExpire, limit, ALL_QUEUES, AdminAction.EXPIRE, "expired");
            // -f also releases what it expired from hold
            List<String> held = new ArrayList<>();
            for (String id : select(forceExpire, limit, ALL_QUEUES, true)) {
                Optional<IndexEntry> e = ToolSupport.await(queue.lookup(id));
                if (e.isPresent() && e.get().queue() == QueueName.HOLD) held.add(id);
            }
            boolean explicit = !forceExpire.contains("ALL");
            int released = act(held, AdminAction.RELEASE, explicit ? "released from hold" : null);
            summary("Force-expired: " + ToolSupport.plural(n));
            summary("Released from hold: " + ToolSupport.plural(released));
        }
        if (!hold.isEmpty()) {
            int n = apply(hold, limit, EnumSet.of(QueueName.INCOMING, QueueName.ACTIVE, QueueName.DEFERRED),
                    AdminAction.HOLD, "placed on hold");
            summary("Placed on hold: " + ToolSupport.plural(n));
        }
        if (!release.isEmpty()) {
            int n = apply(release, limit, EnumSet.of(QueueName.HOLD), AdminAction.RELEASE, "released from hold");
            summary("Released from hold: " + ToolSupport.plural(n));
        }
        if (!requeue.isEmpty()) {
            int n = apply(requeue, limit, ALL_QUEUES, AdminAction.REQUEUE, "requeued");
            summary("Requeued: " + ToolSupport.plural(n));
        }
        return 0;
    }

    /** Applies {@code action} to the named messages (or ALL); returns how many changed. */
    private int apply(List<String> ids, Set<QueueName> limit, Set<QueueName> defaults, AdminAction action,
                      String done) throws Exception {
        boolean explicit = !ids.contains("ALL");
        return act(new ArrayList<>(select(ids, limit, defaults, false)), action, explicit ? done : null);
    }

    /** The queue IDs an option names, limited to the queues it may touch. */
    private Set<String> select(List<String> ids, Set<QueueName> limit, Set<QueueName> defaults, boolean quiet) {
        Set<QueueName> queues = limit != null ? limit : defaults;
        Set<String> selected = new LinkedHashSet<>();
        Map<String, IndexEntry> byId = new java.util.HashMap<>();
        for (IndexEntry e : index) byId.put(e.queueId(), e);
        for (String id : ids) {
            if (id.equals("ALL")) {
                for (IndexEntry e : index) if (queues.contains(e.queue())) selected.add(e.queueId());
            } else if (!QueueIdGenerator.isValid(id)) {
                if (!quiet) err.println("postsuper: warning: invalid mail queue id: " + id);
            } else {
                IndexEntry e = byId.get(id);
                if (e != null && queues.contains(e.queue())) selected.add(id);
            }
        }
        return selected;
    }

    /** Applies {@code action} to each message, several at a time; returns how many changed. */
    private int act(List<String> ids, AdminAction action, String doneMessage) throws Exception {
        List<AdminResult> results = ToolSupport.awaitEach(ids,
                id -> action == AdminAction.DELETE ? queue.delete(id) : queue.admin(id, action));
        int n = 0;
        for (int i = 0; i < ids.size(); i++) {
            if (!results.get(i).applied()) continue;
            n++;
            log.info("{}: {}", ids.get(i), action == AdminAction.DELETE ? "removed" : logWord(action));
            if (doneMessage != null) err.println("postsuper: " + ids.get(i) + ": " + doneMessage);
        }
        return n;
    }

    private static String logWord(AdminAction a) {
        return switch (a) {
            case HOLD -> "placed on hold";
            case RELEASE -> "released from hold";
            case REQUEUE -> "requeued";
            case EXPIRE -> "expired";
            case DELETE -> "removed";
        };
    }

    private void summary(String text) {
        log.info(text);
        err.println("postsuper: " + text);
    }
}
