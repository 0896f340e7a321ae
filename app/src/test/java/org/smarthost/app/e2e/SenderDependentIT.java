package org.smarthost.app.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
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
 * sender_dependent_relayhost_maps and sender_dependent_default_transport_maps end to end: two
 * Postfix smtp-sinks, A for mail from one sender domain (routed by a hash table built with
 * postmap) and B, the relayhost, for everybody else.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SenderDependentIT {

    private static final Path SMTP_SINK = Path.of("/usr/sbin/smtp-sink");

    Path temp;
    MailSystem mail;
    DeliveryIT.Sink sinkA;
    DeliveryIT.Sink sinkB;

    @BeforeAll
    void setUp() throws Exception {
        assumeTrue(Files.isExecutable(SMTP_SINK), "smtp-sink is not installed (apt-get install postfix)");
        temp = MailSystem.newRoot("smarthost-senderdep");
        mail = new MailSystem(temp);
        sinkA = new DeliveryIT.Sink(temp.resolve("sink-a"));
        sinkB = new DeliveryIT.Sink(temp.resolve("sink-b"));
        sinkA.start();
        sinkB.start();
        Path table = temp.resolve("sender_relay");
        Files.writeString(table, "# per-sender relayhosts\n@a.example [127.0.0.1]:" + sinkA.port
                + "\nboss@a.example DUNNO\n");
        MailSystem.Result postmap = mail.run("postmap", table.toString());
        assertEquals(0, postmap.exit(), postmap.toString());
        mail.appendMainCf("relayhost = [127.0.0.1]:" + sinkB.port,
                "sender_dependent_relayhost_maps = hash:" + table,
                "sender_dependent_default_transport_maps = inline:{carol@c.example=smtp:[127.0.0.1]:" + sinkA.port + "}",
                "queue_run_delay = 1s",
                "minimal_backoff_time = 2s",
                "maximal_backoff_time = 4s");
        MailSystem.Result start = mail.run("postfix", "start");
        assertEquals(0, start.exit(), start.toString());
    }

    @AfterAll
    void tearDown() throws Exception {
        if (mail != null) mail.close();
        for (AutoCloseable c : new AutoCloseable[] {sinkA, sinkB}) {
            if (c != null) c.close();
        }
        if (temp != null) MailSystem.deleteTree(temp);
    }

    @Test
    @Order(1)
    void mailFromOneSenderDomainGoesToItsOwnRelayhost() throws Exception {
        String fromA = send("alice+tag@a.example", "bob@remote.example", "from a");
        String fromZ = send("zed@z.example", "bob@remote.example", "from z");
        String boss = send("boss@a.example", "bob@remote.example", "from the boss");
        String carol = send("carol@c.example", "bob@remote.example", "from carol");
        DeliveryIT.await("from a at sink A", () -> sinkA.count("Subject: from a") == 1);
        DeliveryIT.await("from z at sink B", () -> sinkB.count("Subject: from z") == 1);
        DeliveryIT.await("DUNNO: the boss at sink B", () -> sinkB.count("Subject: from the boss") == 1);
        DeliveryIT.await("carol's transport at sink A", () -> sinkA.count("Subject: from carol") == 1);
        assertEquals(0, sinkB.count("Subject: from a"));
        assertEquals(0, sinkA.count("Subject: from z"));
        assertEquals(0, sinkA.count("Subject: from the boss"));
        assertEquals(0, sinkB.count("Subject: from carol"));
        DeliveryIT.await("all removed", () -> mail.maillogText().contains(fromA + ": removed")
                && mail.maillogText().contains(fromZ + ": removed") && mail.maillogText().contains(boss + ": removed")
                && mail.maillogText().contains(carol + ": removed"));
        String log = mail.maillogText();
        assertTrue(Pattern.compile(fromA + ": to=<bob@remote\\.example>, relay=127\\.0\\.0\\.1\\[127\\.0\\.0\\.1\\]:"
                + sinkA.port + ", .*status=sent").matcher(log).find(), log);
        assertTrue(Pattern.compile(fromZ + ": to=<bob@remote\\.example>, relay=127\\.0\\.0\\.1\\[127\\.0\\.0\\.1\\]:"
                + sinkB.port + ", .*status=sent").matcher(log).find(), log);
    }

    @Test
    @Order(2)
    void aTableThatCannotAnswerDefersTheMail() throws Exception {
        Path missing = temp.resolve("missing");
        try {
            assertEquals(0, mail.run("postconf", "-e", "sender_dependent_relayhost_maps = hash:" + missing).exit());
            MailSystem.Result reload = mail.run("postfix", "reload");
            assertEquals(0, reload.exit(), reload.toString());
            String id = send("alice@a.example", "bob@remote.example", "table missing");
            Pattern deferred = Pattern.compile(id + ": to=<bob@remote\\.example>, relay=none, .*status=deferred "
                    + "\\(address resolver failure\\)");
            DeliveryIT.await("deferred while the table is missing", () -> deferred.matcher(mail.maillogText()).find());
            String log = mail.maillogText();
            assertTrue(log.contains("warning: sender_dependent_relayhost_maps lookup failure"), log);
            assertEquals(0, sinkB.count("Subject: table missing"), "never sent to relayhost instead");
            assertEquals(0, sinkA.count("Subject: table missing"));
            mail.run("postsuper", "-d", id);
        } finally {
            assertEquals(0, mail.run("postconf", "-e", "sender_dependent_relayhost_maps =").exit());
            assertEquals(0, mail.run("postfix", "reload").exit());
        }
    }

    private String send(String from, String to, String subject) throws Exception {
        try (SmtpClient smtp = new SmtpClient(mail.port)) {
            smtp.command("EHLO client.example");
            assertTrue(smtp.command("MAIL FROM:<" + from + ">").startsWith("250"));
            assertTrue(smtp.command("RCPT TO:<" + to + ">").startsWith("250"));
            assertTrue(smtp.command("DATA").startsWith("354"));
            String reply = smtp.command("From: <" + from + ">\r\nSubject: " + subject + "\r\n\r\nhello\r\n.");
            Matcher m = Pattern.compile("^250 2\\.0\\.0 Ok: queued as (\\w+)$").matcher(reply);
            assertTrue(m.find(), reply);
            smtp.command("QUIT");
            return m.group(1);
        }
    }
}
