package org.smarthost.app.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.ZoneId;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.smarthost.actors.queue.IndexEntry;
import org.smarthost.persistence.queue.QueueName;

/** Golden output captured from Postfix 3.7.11 (postqueue -p / -j, enable_long_queue_ids = yes). */
class ShowqTest {

    static final String REFUSED = "connect to 127.0.0.1[127.0.0.1]:32599: Connection refused";
    static final ZoneId UTC = ZoneId.of("UTC");

    static IndexEntry entry(String id, QueueName q, long arrival, long size, String sender, String[] rcpts,
                            String[] reasons, boolean expired) {
        return new IndexEntry(id, q, arrival, size, sender, rcpts, reasons, -1, -1, expired, 1);
    }

    static String capture(Consumer<PrintWriter> f) {
        StringWriter s = new StringWriter();
        try (PrintWriter w = new PrintWriter(s)) {
            f.accept(w);
        }
        return s.toString();
    }

    @Test
    void deferredAndHeldMessages() {
        List<IndexEntry> q = List.of(
                entry("4jZR1g4C0kzJ9H9", QueueName.DEFERRED, 1795626439, 430, "root@vm",
                        new String[] {"x@example.net"}, new String[] {REFUSED}, false),
                entry("4jZR1g3jdtzJ9Gy", QueueName.DEFERRED, 1795626439, 433, "alice@example.com",
                        new String[] {"bob@example.net"}, new String[] {REFUSED}, false),
                entry("4jZR1g3yV8zJ9H5", QueueName.HOLD, 1795626439, 409, "carol@example.com",
                        new String[] {"d2@example.org"}, new String[] {REFUSED}, false));
        assertEquals("""
                ----Queue ID----- --Size-- ---Arrival Time---- --Sender/Recipient------
                4jZR1g4C0kzJ9H9        430 Wed Nov 25 17:07:19 root@vm
                                   (connect to 127.0.0.1[127.0.0.1]:32599: Connection refused)
                                                               x@example.net

                4jZR1g3jdtzJ9Gy        433 Wed Nov 25 17:07:19 alice@example.com
                                   (connect to 127.0.0.1[127.0.0.1]:32599: Connection refused)
                                                               bob@example.net

                4jZR1g3yV8zJ9H5!       409 Wed Nov 25 17:07:19 carol@example.com
                                   (connect to 127.0.0.1[127.0.0.1]:32599: Connection refused)
                                                               d2@example.org

                -- 1 Kbytes in 3 Requests.
                """, capture(w -> Showq.text(q, UTC, w)));
    }

    @Test
    void longReasonStartsInColumnOneAndSingularRequest() {
        List<IndexEntry> q = List.of(entry("4jZR2j70gJzJ99S", QueueName.DEFERRED, 1795626493, 440, "one@example.com",
                new String[] {"o1@example.net"}, new String[] {"delivery temporarily suspended: " + REFUSED}, false));
        assertEquals("""
                ----Queue ID----- --Size-- ---Arrival Time---- --Sender/Recipient------
                4jZR2j70gJzJ99S        440 Wed Nov 25 17:08:13 one@example.com
                (delivery temporarily suspended: connect to 127.0.0.1[127.0.0.1]:32599: Connection refused)
                                                               o1@example.net

                -- 0 Kbytes in 1 Request.
                """, capture(w -> Showq.text(q, UTC, w)));
    }

    @Test
    void reasonsAreRightAlignedAndSharedReasonsPrintedOnce() {
        List<IndexEntry> q = List.of(
                entry("4jZR3H5CGpzJ9ST", QueueName.DEFERRED, 1795626523, 262, "s@example.com",
                        new String[] {"u@a.example"}, new String[] {"x"}, false),
                entry("4jZR3H5DtkzJ9SV", QueueName.DEFERRED, 1795626523, 262, "s@example.com",
                        new String[] {"u@b.example"}, new String[] {"a medium length reason text here"}, false),
                entry("4jZR1x4WRhzJ9KH", QueueName.DEFERRED, 1795626453, 311, "sender@example.com",
                        new String[] {"r1@example.net", "r2@example.org"}, new String[] {REFUSED, REFUSED}, false),
                entry("4jZRP94j8NzJ9Lq", QueueName.HOLD, 1795627453, 309, "holder@example.com",
                        new String[] {"h@example.net", "other@example.org"}, new String[] {"", ""}, false));
        assertEquals("""
                ----Queue ID----- --Size-- ---Arrival Time---- --Sender/Recipient------
                4jZR3H5CGpzJ9ST        262 Wed Nov 25 17:08:43 s@example.com
                                                                                           (x)
                                                               u@a.example

                4jZR3H5DtkzJ9SV        262 Wed Nov 25 17:08:43 s@example.com
                                                            (a medium length reason text here)
                                                               u@b.example

                4jZR1x4WRhzJ9KH        311 Wed Nov 25 17:07:33 sender@example.com
                                   (connect to 127.0.0.1[127.0.0.1]:32599: Connection refused)
                                                               r1@example.net
                                                               r2@example.org

                4jZRP94j8NzJ9Lq!       309 Wed Nov 25 17:24:13 holder@example.com
                                                               h@example.net
                                                               other@example.org

                -- 1 Kbytes in 4 Requests.
                """, capture(w -> Showq.text(q, UTC, w)));
    }

    @Test
    void activeNullSenderAndForcedExpiry() {
        List<IndexEntry> q = List.of(
                entry("4jZR2972dbzJ9LX", QueueName.ACTIVE, 1795626465, 322, "",
                        new String[] {"n1@example.net"}, new String[] {""}, false),
                entry("4jZRP94j8NzJ9Lq", QueueName.DEFERRED, 1795627453, 309, "holder@example.com",
                        new String[] {"h@example.net"}, new String[] {""}, true));
        assertEquals("""
                ----Queue ID----- --Size-- ---Arrival Time---- --Sender/Recipient------
                4jZR2972dbzJ9LX*       322 Wed Nov 25 17:07:45 MAILER-DAEMON
                                                               n1@example.net

                4jZRP94j8NzJ9Lq#       309 Wed Nov 25 17:24:13 holder@example.com
                                                               h@example.net

                -- 0 Kbytes in 2 Requests.
                """, capture(w -> Showq.text(q, UTC, w)));
    }

    @Test
    void emptyQueue() {
        assertEquals("Mail queue is empty\n", capture(w -> Showq.text(List.of(), UTC, w)));
        assertEquals("", capture(w -> Showq.json(List.of(), w)));
    }

    @Test
    void jsonLinesAsPostfix31() {
        List<IndexEntry> q = List.of(
                entry("4jZR1g3yV8zJ9H5", QueueName.DEFERRED, 1795626439, 409, "carol@example.com",
                        new String[] {"d2@example.org"}, new String[] {REFUSED}, false),
                entry("4jZRP94j8NzJ9Lq", QueueName.HOLD, 1795627453, 309, "holder@example.com",
                        new String[] {"h@example.net", "other@example.org"}, new String[] {"", ""}, false));
        assertEquals("{\"queue_name\": \"deferred\", \"queue_id\": \"4jZR1g3yV8zJ9H5\", \"arrival_time\": 1795626439, "
                        + "\"message_size\": 409, \"forced_expire\": false, \"sender\": \"carol@example.com\", "
                        + "\"recipients\": [{\"address\": \"d2@example.org\", \"delay_reason\": \"connect to "
                        + "127.0.0.1[127.0.0.1]:32599: Connection refused\"}]}\n"
                        + "{\"queue_name\": \"hold\", \"queue_id\": \"4jZRP94j8NzJ9Lq\", \"arrival_time\": 1795627453, "
                        + "\"message_size\": 309, \"forced_expire\": false, \"sender\": \"holder@example.com\", "
                        + "\"recipients\": [{\"address\": \"h@example.net\"}, {\"address\": \"other@example.org\"}]}\n",
                capture(w -> Showq.json(q, w)));
        assertEquals("\"a\\\"b\\\\c\\u0001\"", Showq.quote("a\"b\\c\u0001"));
    }

    /** Postfix 3.7.11's postqueue -j names the null sender MAILER-DAEMON, as -p does. */
    @Test
    void jsonNamesTheNullSenderMailerDaemon() {
        List<IndexEntry> q = List.of(entry("36F0F20EBA3", QueueName.DEFERRED, 1795690139, 986, "",
                new String[] {"carol@example.net"}, new String[] {REFUSED}, false));
        assertEquals("{\"queue_name\": \"deferred\", \"queue_id\": \"36F0F20EBA3\", \"arrival_time\": 1795690139, "
                        + "\"message_size\": 986, \"forced_expire\": false, \"sender\": \"MAILER-DAEMON\", "
                        + "\"recipients\": [{\"address\": \"carol@example.net\", \"delay_reason\": \"connect to "
                        + "127.0.0.1[127.0.0.1]:32599: Connection refused\"}]}\n",
                capture(w -> Showq.json(q, w)));
    }
}
