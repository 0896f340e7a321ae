package org.smarthost.app.queue;

import java.util.List;
import java.util.Locale;
import org.smarthost.persistence.queue.QueueIdGenerator;

/**
 * The path a Postfix tool names a queued message by, as Postfix's mail_queue_path() builds it:
 * the queue, then for a queue in hash_queue_names a directory forest of hash_queue_depth levels,
 * then the queue ID. The forest takes one character per level from the queue ID, or for a long
 * queue ID from its microseconds in five hex digits ("%05X"), and '_' past the end. Queues are
 * not directories here; postcat prints the path so its section markers read as Postfix's.
 */
record QueueFilePath(List<String> hashQueueNames, int depth) {

    String of(String queue, String queueId) {
        StringBuilder path = new StringBuilder(queue).append('/');
        if (hashQueueNames.stream().anyMatch(queue::equalsIgnoreCase)) {
            String hashed = hashSource(queueId);
            for (int level = 0; level < depth; level++) {
                path.append(level < hashed.length() ? hashed.charAt(level) : '_').append('/');
            }
        }
        return path.append(queueId).toString();
    }

    private static String hashSource(String queueId) {
        try {
            long micros = QueueIdGenerator.timeOf(queueId).getNano() / 1000;
            return String.format(Locale.ROOT, "%05X", micros);
        } catch (IllegalArgumentException notLong) {
            return queueId; // a short (hex) queue ID hashes by its own characters
        }
    }
}
