package org.smarthost.app.server;

import java.time.Duration;
import java.time.ZoneId;
import org.smarthost.actors.queue.QueueSettings;
import org.smarthost.config.Config;

/** The queue's plain settings, from main.cf. */
public final class QueueSettingsFactory {

    /** How long a message actor with nothing to do stays in memory; internal, not a Postfix knob. */
    private static final Duration MESSAGE_IDLE_TIMEOUT = Duration.ofSeconds(30);

    private QueueSettingsFactory() {
    }

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
