package org.smarthost.actors.queue;

import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import org.smarthost.persistence.queue.BackoffPolicy;
import org.smarthost.streams.cleanup.CleanupSettings;
import org.smarthost.streams.cleanup.ContentChecks;

/**
 * The main.cf parameters the queue obeys, as plain values (the app fills them from main.cf).
 *
 * @param myhostname                 myhostname
 * @param mailName                   mail_name ("Postfix")
 * @param hopcountLimit              hopcount_limit (50)
 * @param headerSizeLimit            header_size_limit (102400)
 * @param messageSizeLimit           message_size_limit (10240000; 0 = no limit)
 * @param alwaysAddMissingHeaders    always_add_missing_headers (no)
 * @param localHeaderRewriteClients  local_header_rewrite_clients (permit_inet_interfaces);
 *                                   understood: permit_inet_interfaces, permit_mynetworks,
 *                                   permit_sasl_authenticated, static:all, and CIDR/addresses
 * @param mynetworks                 mynetworks, as CIDR blocks or addresses
 * @param minimalBackoffTime         minimal_backoff_time (300s)
 * @param maximalBackoffTime         maximal_backoff_time (4000s)
 * @param maximalQueueLifetime       maximal_queue_lifetime (5d)
 * @param bounceQueueLifetime        bounce_queue_lifetime (5d)
 * @param queueRunDelay              queue_run_delay (300s)
 * @param queueDirectory             queue_directory
 * @param storeDirectory             where the journal and bodies live (${queue_directory}/db)
 * @param readJournalPluginId        read journal ("smarthost.query.rocksdb")
 * @param messageIdleTimeout         a message actor is stopped after this long without commands
 * @param zone                       time zone for Received:/Date: (the system's)
 * @param hashQueueNames             hash_queue_names (deferred, defer) and
 * @param hashQueueDepth             hash_queue_depth (1): queues are not directories here, but the
 *                                   tools name a message by Postfix's queue file path
 * @param checks                     header_checks, mime_header_checks, nested_header_checks,
 *                                   body_checks and body_checks_size_limit, tables opened
 */
public record QueueSettings(String myhostname, String mailName, int hopcountLimit, int headerSizeLimit,
                            long messageSizeLimit, boolean alwaysAddMissingHeaders,
                            List<String> localHeaderRewriteClients, List<String> mynetworks,
                            Duration minimalBackoffTime, Duration maximalBackoffTime,
                            Duration maximalQueueLifetime, Duration bounceQueueLifetime, Duration queueRunDelay,
                            Path queueDirectory, Path storeDirectory, String readJournalPluginId,
                            Duration messageIdleTimeout, ZoneId zone, List<String> hashQueueNames,
                            int hashQueueDepth, ContentChecks checks) {

    /** Without content checks. */
    public QueueSettings(String myhostname, String mailName, int hopcountLimit, int headerSizeLimit,
                         long messageSizeLimit, boolean alwaysAddMissingHeaders,
                         List<String> localHeaderRewriteClients, List<String> mynetworks,
                         Duration minimalBackoffTime, Duration maximalBackoffTime,
                         Duration maximalQueueLifetime, Duration bounceQueueLifetime, Duration queueRunDelay,
                         Path queueDirectory, Path storeDirectory, String readJournalPluginId,
                         Duration messageIdleTimeout, ZoneId zone, List<String> hashQueueNames,
                         int hashQueueDepth) {
        this(myhostname, mailName, hopcountLimit, headerSizeLimit, messageSizeLimit, alwaysAddMissingHeaders,
                localHeaderRewriteClients, mynetworks, minimalBackoffTime, maximalBackoffTime, maximalQueueLifetime,
                bounceQueueLifetime, queueRunDelay, queueDirectory, storeDirectory, readJournalPluginId,
                messageIdleTimeout, zone, hashQueueNames, hashQueueDepth, ContentChecks.NONE);
    }

    public static final String ROCKSDB_READ_JOURNAL = "smarthost.query.rocksdb";

    public QueueSettings {
        if (checks == null) checks = ContentChecks.NONE;
        localHeaderRewriteClients = List.copyOf(localHeaderRewriteClients);
        mynetworks = List.copyOf(mynetworks);
        hashQueueNames = List.copyOf(hashQueueNames);
    }

    /** Postfix's defaults for everything but the host name and directories. */
    public static QueueSettings defaults(String myhostname, Path queueDirectory) {
        return new QueueSettings(myhostname, "Postfix", 50, 102400, 10240000L, false,
                List.of("permit_inet_interfaces"), List.of("127.0.0.0/8", "[::1]/128"),
                Duration.ofSeconds(300), Duration.ofSeconds(4000), Duration.ofDays(5), Duration.ofDays(5),
                Duration.ofSeconds(300), queueDirectory, queueDirectory.resolve("db"), ROCKSDB_READ_JOURNAL,
                Duration.ofSeconds(30), ZoneId.systemDefault(), List.of("deferred", "defer"), 1);
    }

    public QueueSettings withReadJournal(String pluginId) {
        return new QueueSettings(myhostname, mailName, hopcountLimit, headerSizeLimit, messageSizeLimit,
                alwaysAddMissingHeaders, localHeaderRewriteClients, mynetworks, minimalBackoffTime,
                maximalBackoffTime, maximalQueueLifetime, bounceQueueLifetime, queueRunDelay, queueDirectory,
                storeDirectory, pluginId, messageIdleTimeout, zone, hashQueueNames, hashQueueDepth, checks);
    }

    public QueueSettings withLimits(int hopcountLimit, int headerSizeLimit, long messageSizeLimit,
                                    boolean alwaysAddMissingHeaders) {
        return new QueueSettings(myhostname, mailName, hopcountLimit, headerSizeLimit, messageSizeLimit,
                alwaysAddMissingHeaders, localHeaderRewriteClients, mynetworks, minimalBackoffTime,
                maximalBackoffTime, maximalQueueLifetime, bounceQueueLifetime, queueRunDelay, queueDirectory,
                storeDirectory, readJournalPluginId, messageIdleTimeout, zone, hashQueueNames, hashQueueDepth, checks);
    }

    /**
     * These settings with the directories and journal of {@code running}: a reload cannot move
     * an open queue (in Postfix, "postfix reload" with another queue_directory finds no master).
     */
    public QueueSettings inStoreOf(QueueSettings running) {
        return new QueueSettings(myhostname, mailName, hopcountLimit, headerSizeLimit, messageSizeLimit,
                alwaysAddMissingHeaders, localHeaderRewriteClients, mynetworks, minimalBackoffTime,
                maximalBackoffTime, maximalQueueLifetime, bounceQueueLifetime, queueRunDelay,
                running.queueDirectory, running.storeDirectory, running.readJournalPluginId,
                running.messageIdleTimeout, zone, hashQueueNames, hashQueueDepth, checks);
    }

    public QueueSettings withChecks(ContentChecks checks) {
        return new QueueSettings(myhostname, mailName, hopcountLimit, headerSizeLimit, messageSizeLimit,
                alwaysAddMissingHeaders, localHeaderRewriteClients, mynetworks, minimalBackoffTime,
                maximalBackoffTime, maximalQueueLifetime, bounceQueueLifetime, queueRunDelay, queueDirectory,
                storeDirectory, readJournalPluginId, messageIdleTimeout, zone, hashQueueNames, hashQueueDepth, checks);
    }

    public BackoffPolicy backoff() {
        return new BackoffPolicy(minimalBackoffTime, maximalBackoffTime, maximalQueueLifetime, bounceQueueLifetime);
    }

    public CleanupSettings cleanup() {
        return new CleanupSettings(myhostname, mailName, hopcountLimit, headerSizeLimit, messageSizeLimit, zone,
                checks);
    }
}
