package org.smarthost.app.server;

import java.time.Duration;
import java.time.ZoneId;
import org.smarthost.actors.queue.QueueSettings;
import org.slf4j.LoggerFactory;
import org.smarthost.config.Config;
import org.smarthost.config.tables.LookupTables;
import org.smarthost.streams.cleanup.ContentChecks;

/** The queue's plain settings, from main.cf. */
public final class QueueSettingsFactory {

    /** How long a message actor with nothing to do stays in memory; internal, not a Postfix knob. */
    private static final Duration MESSAGE_IDLE_TIMEOUT = Duration.ofSeconds(30);

    private QueueSettingsFactory() {
    }

    /**
     * The server's settings: {@link #build} with cleanup's content checks, their tables opened
     * (a table that cannot be opened is logged now, and the mail it should check is deferred).
     */
    public static QueueSettings forServer(MailConfig conf) {
        return build(conf).withChecks(contentChecks(conf));
    }

    /**
     * header_checks, mime_header_checks, nested_header_checks and body_checks (header_checks(5)),
     * table names relative to queue_directory as for Postfix's cleanup.
     */
    public static ContentChecks contentChecks(MailConfig conf) {
        Config c = conf.config();
        LookupTables tables = new LookupTables(conf.queueDirectory(), LoggerFactory.getLogger("postfix/cleanup"));
        return new ContentChecks(
                tables.maps("header_checks", c.get("header_checks")),
                tables.maps("mime_header_checks", c.get("mime_header_checks")),
                tables.maps("nested_header_checks", c.get("nested_header_checks")),
                tables.maps("body_checks", c.get("body_checks")),
                c.getSize("body_checks_size_limit"));
    }

    /** The queue's settings without content checks (the queue tools need no tables). */
    public static QueueSettings build(MailConfig conf) {
        Config c = conf.config();
        return new QueueSettings(
                c.get("myhostname"),
                c.get("mail_name"),
                c.getInt("hopcount_limit"),
                (int) Math.min(Integer.MAX_VALUE, c.getSize("header_size_limit")),
                c.getSize("message_size_limit"),
                c.getBool("always_add_missing_headers"),
                c.getList("local_header_rewrite_clients"),
                c.getList("mynetworks"),
                c.getTime("minimal_backoff_time"),
                c.getTime("maximal_backoff_time"),
                c.getTime("maximal_queue_lifetime"),
                c.getTime("bounce_queue_lifetime"),
                c.getTime("queue_run_delay"),
                conf.queueDirectory(),
                conf.storeDirectory(),
                QueueSettings.ROCKSDB_READ_JOURNAL,
                MESSAGE_IDLE_TIMEOUT,
                ZoneId.systemDefault(),
                c.getList("hash_queue_names"),
                c.getInt("hash_queue_depth"));
    }
}
