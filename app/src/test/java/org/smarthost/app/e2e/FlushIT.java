package org.smarthost.app.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The administrator's answer to a relayhost that was down: start it again and flush the queue.
 * As with Postfix, postqueue -f, -s and -i bring the dead destination back at once (its
 * suspension would otherwise last minimal_backoff_time, five minutes by default) and the
 * deferred mail goes out. Real server (bin/postfix), real smtp-sink, mail sent with swaks.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FlushIT {

    private static final Path SMTP_SINK = Path.of("/usr/sbin/smtp-sink");
    private static final Path SWAKS = Path.of("/usr/bin/swaks");

    Path temp;
    MailSystem mail;
    DeliveryIT.Sink relay;

    @BeforeAll
    void setUp() throws Exception {
        assumeTrue(Files.isExecutable(SMTP_SINK), "smtp-sink is not installed (apt-get install postfix)");
        assumeTrue(Files.isExecutable(SWAKS), "swaks is not installed (apt-get install swaks)");
        temp = MailSystem.newRoot("smarthost-flush");
        mail = new MailSystem(temp);
        relay = new DeliveryIT.Sink(temp.resolve("relay-sink"));
        // The relayhost is down at first; the backoff times are Postfix's defaults.
        mail.appendMainCf("relayhost = [127.0.0.1]:" + relay.port);
        MailSystem.Result start = mail.run("postfix", "start");
        assertEquals(0, start.exit(), start.toString());
    }

    @AfterAll
    void tearDown() throws Exception {
        if (mail != null) mail.close();
        if (relay != null) relay.close();
        MailSystem.deleteTree(temp);
    }

    @Test
    @Order(1)
    void postqueueFlushRevivesTheDeadRelayhost() throws Exception {
        List<String> ids = killRelayhost("f");
        long suspended = suspensions(ids);
        relay.start();
        MailSystem.Result flush = mail.run("postqueue", "-f");
        assertEquals(0, flush.exit(), flush.toString());
        for (String id : ids) DeliveryIT.await(id + " sent after the flush", () -> sent(id));
        assertEquals(suspended, suspensions(ids), "no job was suspended again after the flush:\n" + mail.maillogText());
    }

    @Test
    @Order(2)
    void postqueueOfOneMessageRevivesItsDestinationAndLeavesTheRestDeferred() throws Exception {
        relay.close();
        List<String> ids = killRelayhost("i");
        relay.start();
        String one = ids.get(ids.size() - 1);
        MailSystem.Result flush = mail.run("postqueue", "-i", one);
        assertEquals(0, flush.exit(), flush.toString());
        DeliveryIT.await(one + " sent after postqueue -i", () -> sent(one));
        MailSystem.Result listing = mail.run("postqueue", "-p");
        for (String id : ids.subList(0, ids.size() - 1)) {
            assertTrue(listing.out().contains(id), "not flushed, still deferred: " + id + "\n" + listing);
        }
    }

    @Test
    @Order(3)
    void postqueueOfASiteRevivesTheDeadRelayhost() throws Exception {
        MailSystem.Result first = mail.run("postqueue", "-s", "remote.example");
        assertEquals(0, first.exit(), first.toString());
        DeliveryIT.await("the rest of the -i test's mail sent", () -> queueEmpty());

        relay.close();
        List<String> ids = killRelayhost("s");
        relay.start();
        MailSystem.Result flush = mail.run("postqueue", "-s", "remote.example");
        assertEquals(0, flush.exit(), flush.toString());
        for (String id : ids) DeliveryIT.await(id + " sent after postqueue -s", () -> sent(id));
    }

    /**
     * Five messages to a relayhost that refuses connections kill the destination (with the
     * default initial concurrency and failed cohort limit, four refusals do); a sixth is then
     * deferred without an attempt, as "delivery temporarily suspended". Returns the six queue ids.
     */
    private List<String> killRelayhost(String tag) throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) ids.add(send(tag + i));
        for (String id : ids) {
            // refused, or already suspended if the destination died before this one went out
            DeliveryIT.await(id + " deferred", () -> Pattern.compile(Pattern.quote(id) + ": to=.*status=deferred")
                    .matcher(mail.maillogText()).find());
        }
        String suspended = send(tag + "-suspended");
        ids.add(suspended);
        DeliveryIT.await(suspended + " suspended", () -> suspensions(List.of(suspended)) == 1);
        return ids;
    }

    private String send(String subject) throws Exception {
        MailSystem.Result swaks = MailSystem.exec(List.of(SWAKS.toString(), "--server", "127.0.0.1:" + mail.port,
                "--from", "sender@client.example", "--to", "rcpt@remote.example", "--ehlo", "client.example",
                "--header", "Subject: flush " + subject), null);
        assertEquals(0, swaks.exit(), swaks.toString());
        Matcher queued = Pattern.compile("<-  250 2\\.0\\.0 Ok: queued as (\\w+)").matcher(swaks.out());
        assertTrue(queued.find(), swaks.out());
        return queued.group(1);
    }

    private boolean sent(String id) {
        return Pattern.compile(Pattern.quote(id) + ": to=<rcpt@remote\\.example>, relay=127\\.0\\.0\\.1.*status=sent")
                .matcher(mail.maillogText()).find();
    }

    private long suspensions(List<String> ids) {
        String log = mail.maillogText();
        return ids.stream().mapToLong(id -> Pattern.compile(Pattern.quote(id)
                + ": to=.*status=deferred \\(delivery temporarily suspended: ").matcher(log).results().count()).sum();
    }

    private boolean queueEmpty() {
        try {
            return mail.run("postqueue", "-p").out().equals("Mail queue is empty\n");
        } catch (Exception e) {
            return false;
        }
    }
}
