package org.smarthost.app.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * One real mail system, started with bin/postfix as an administrator would, taken through its
 * life: start, status, SMTP, reload with a changed master.cf, logrotate, stop. One server start
 * for the whole class keeps the suite lean.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PostfixLifecycleIT {

    private static final Pattern SYSLOG_LINE =
            Pattern.compile("^[A-Z][a-z]{2} [ 123]\\d \\d\\d:\\d\\d:\\d\\d \\S+ postfix/[a-z-]+\\[\\d+\\]: .+$");

    Path temp;
    MailSystem mail;
    SmtpClient established;
    int newPort;

    @BeforeAll
    void setUp() throws IOException {
        temp = Files.createTempDirectory("smarthost-it");
        mail = new MailSystem(temp);
        // a collector the tools' -XX:+UseSerialGC would clash with: it must reach the server only
        mail.serverJavaOpts("-XX:+UseParallelGC -Dsmarthost.it.server-option=lifecycle");
    }

    @AfterAll
    void tearDown() throws Exception {
        if (established != null) established.close();
        mail.close();
        MailSystem.deleteTree(temp);
    }

    @Test
    @Order(1)
    void statusBeforeStartSaysNotRunning() throws Exception {
        MailSystem.Result status = mail.run("postfix", "status");
        assertEquals(1, status.exit(), status.toString());
        // no maillog_file to write to yet (its directory is made by the first start): stderr it is
        assertFalse(Files.isDirectory(mail.maillog().getParent()));
        assertEquals("postfix/postfix-script: the Postfix mail system is not running\n", status.err());
    }

    @Test
    @Order(2)
    void startReturnsOnceSmtpdListens() throws Exception {
        MailSystem.Result start = mail.run("postfix", "start");
        assertEquals(0, start.exit(), start.toString());
        logged(start, "starting the Postfix mail system");
        // no polling: start returns only when every service listens
        try (SmtpClient smtp = new SmtpClient(mail.port)) {
            assertTrue(smtp.greeting.startsWith("220 ") && smtp.greeting.contains(" ESMTP"), smtp.greeting);
            assertTrue(smtp.command("EHLO client.example").startsWith("250 "));
            assertEquals("221 2.0.0 Bye", smtp.command("QUIT"));
        }
    }

    @Test
    @Order(3)
    void statusReportsThePidOfTheRunningServer() throws Exception {
        MailSystem.Result status = mail.run("postfix", "status");
        assertEquals(0, status.exit(), status.toString());
        Matcher m = logged(status, "the Postfix mail system is running: PID: (\\d+)");
        long pid = Long.parseLong(m.group(1));
        assertEquals(pid, Long.parseLong(Files.readString(mail.pidFile()).trim()));
        assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
        String cmdline = Files.readString(Path.of("/proc/" + pid + "/cmdline")).replace('\0', ' ');
        assertTrue(cmdline.contains(" -XX:+UseParallelGC -Dsmarthost.it.server-option=lifecycle "), cmdline);
        // the build's class archive, written by a training run at the first start if need be, is mapped
        Matcher archive = Pattern.compile(" -XX:SharedArchiveFile=(\\S+/class-archive/master-\\w+\\.jsa) ")
                .matcher(cmdline);
        assertTrue(archive.find(), cmdline);
        assertTrue(Files.size(Path.of(archive.group(1))) > 1_000_000, archive.group(1));
    }

    @Test
    @Order(4)
    void aSecondStartIsRefused() throws Exception {
        MailSystem.Result again = mail.run("postfix", "start");
        assertEquals(1, again.exit(), again.toString());
        logged(again, "fatal: the Postfix mail system is already running");
    }

    @Test
    @Order(5)
    void onATerminalPostfixWritesToStderrToo() throws Exception {
        // script(1) gives the command a pseudo-terminal and copies what it writes there
        String command = String.join(" ", MailSystem.REPO.resolve("bin/postfix").toString(), "-c",
                mail.configDir.toString(), "status");
        MailSystem.Result onTty = MailSystem.exec(List.of("script", "-qec", command, "/dev/null"), null);
        assertEquals(0, onTty.exit(), onTty.toString());
        assertTrue(onTty.out().replace("\r", "").matches(
                "postfix/postfix-script: the Postfix mail system is running: PID: \\d+\n"), onTty.out());
    }

    /**
     * Addresses trivial-rewrite flags as bad syntax are rejected at MAIL FROM and RCPT TO, and
     * others are not; each expected reply is what Postfix 3.7's smtpd gave for the same command
     * (Debian's postfix, default main.cf settings).
     */
    @Test
    @Order(6)
    void addressesWithBadDomainsAreRejectedAsPostfixRejectsThem() throws Exception {
        String script = String.join("\n",
                "import smtplib, sys",
                "for cmd in sys.stdin.read().splitlines():",
                // a session each: smtpd_soft/hard_error_limit would slow and then end one long session
                "    s = smtplib.SMTP('127.0.0.1', int(sys.argv[1]))",
                "    s.ehlo('client.example')",
                "    s.command_encoding = 'utf-8'",
                "    utf8 = ' SMTPUTF8' if not cmd.isascii() else ''",
                "    if cmd.startswith('RCPT'): s.docmd('MAIL FROM:<sender@example.org>' + utf8)",
                "    code, text = s.docmd(cmd)",
                "    print(cmd + ' -> ' + str(code) + ' ' + text.decode())",
                "    s.quit()");
        Map<String, String> postfix = new java.util.LinkedHashMap<>();
        String badRcpt = "501 5.1.3 Bad recipient address syntax";
        String badSender = "501 5.1.7 Bad sender address syntax";
        for (String a : List.of("bad@", "bad@.example", "bad@example..org", "bad@[1.2.3]", "bad@-x.example",
                "user@1.2.3.4", "user@[::1]", "user@ex-.org", "-user@example.org", "-user", "u@@",
                "u@" + "a".repeat(64) + ".org", "u@" + "abcdefghi.".repeat(26) + "org")) {
            postfix.put("RCPT TO:<" + a + ">", badRcpt);
        }
        for (String a : List.of("a@b@c", "\"x y\"@example.org", "user", "bad@ex_ample.org", "bad@@example.org",
                "@a.example:u@b.example", "bad@example.org.", "user@[1.2.3.4]", "user@[IPv6:::1]", "u@example.123",
                "u@localhost", "u@example.org.@", "u%x@example.org", "u@" + "a".repeat(63) + ".org")) {
            postfix.put("RCPT TO:<" + a + ">", "250 2.1.5 Ok");
        }
        for (String a : List.of("bad@", "bad@.example", "bad@example..org", "-user@example.org", "user@1.2.3.4")) {
            postfix.put("MAIL FROM:<" + a + ">", badSender);
        }
        postfix.put("MAIL FROM:<a@b@c>", "250 2.1.0 Ok");
        // SMTPUTF8 (declared with MAIL FROM by the script for these): UTF-8 domains are domains
        postfix.put("RCPT TO:<u@exämple.com>", "250 2.1.5 Ok");
        postfix.put("RCPT TO:<u@ex_ämple.com>", "250 2.1.5 Ok");
        postfix.put("RCPT TO:<u@-ämple.com>", badRcpt);
        postfix.put("VRFY bad@", badRcpt);
        postfix.put("VRFY <bad@-x.example>", badRcpt);
        postfix.put("VRFY u@example.org", "252 2.0.0 u@example.org");
        MailSystem.Result run = MailSystem.exec(List.of("/usr/bin/python3", "-c", script, String.valueOf(mail.port)),
                String.join("\n", postfix.keySet()) + "\n", Map.of("PYTHONIOENCODING", "utf-8"));
        assertEquals(0, run.exit(), run.toString());
        Map<String, String> got = new java.util.LinkedHashMap<>();
        run.out().lines().forEach(l -> got.put(l.substring(0, l.indexOf(" -> ")), l.substring(l.indexOf(" -> ") + 4)));
        assertEquals(postfix, got);
        String log = Files.readString(mail.maillog());
        assertTrue(log.contains("warning: Illegal address syntax from localhost[127.0.0.1] in RCPT command: <bad@-x.example>"),
                log);
    }

    @Test
    @Order(7)
    void acceptedMailIsQueuedAndListedByPostqueue() throws Exception {
        MailSystem.Result swaks = MailSystem.exec(List.of("swaks", "--server", "127.0.0.1:" + mail.port,
                "--from", "sender@localhost", "--to", "rcpt@example.com", "--ehlo", "client.example",
                "--header", "Subject: lifecycle"), null);
        assertEquals(0, swaks.exit(), swaks.toString());
        Matcher queued = Pattern.compile("<-  250 2\\.0\\.0 Ok: queued as (\\w+)").matcher(swaks.out());
        assertTrue(queued.find(), swaks.out());
        String queueId = queued.group(1);

        MailSystem.Result listing = mail.run("postqueue", "-p");
        assertEquals(0, listing.exit(), listing.toString());
        assertTrue(listing.out().lines().anyMatch(l -> l.startsWith(queueId) && l.endsWith("sender@localhost")),
                listing.out());
        assertTrue(listing.out().contains("rcpt@example.com"), listing.out());

        MailSystem.Result flush = mail.run("postfix", "flush");
        assertEquals(0, flush.exit(), flush.toString());
    }

    @Test
    @Order(8)
    void reloadOpensTheNewPortClosesTheOldAndKeepsEstablishedSessions() throws Exception {
        established = new SmtpClient(mail.port);
        assertTrue(established.command("EHLO before.reload").startsWith("250 "));

        newPort = MailSystem.freePort();
        mail.writeMasterCf("127.0.0.1:" + newPort + " inet n - n - - smtpd\n");
        MailSystem.Result reload = mail.run("postfix", "reload");
        assertEquals(0, reload.exit(), reload.toString());
        logged(reload, "refreshing the Postfix mail system");

        try (SmtpClient fresh = new SmtpClient(newPort)) {
            assertTrue(fresh.greeting.startsWith("220 "), fresh.greeting);
        }
        assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", mail.port).close());
        // the session that was open across the reload carries on
        assertEquals("250 2.0.0 Ok", established.command("NOOP"));
        assertTrue(Files.readString(mail.maillog()).contains("postfix/master["),
                "master logs to maillog_file");
        assertTrue(Files.readString(mail.maillog()).lines()
                .anyMatch(l -> l.matches(".* postfix/master\\[\\d+\\]: reload -- version \\S+, configuration "
                        + Pattern.quote(mail.configDir.toString()))));
    }

    @Test
    @Order(9)
    void logrotateRenamesAndCompressesTheMaillog() throws Exception {
        MailSystem.Result rotate = mail.run("postfix", "logrotate");
        assertEquals(0, rotate.exit(), rotate.toString());
        List<Path> rotated;
        try (Stream<Path> files = Files.list(mail.maillog().getParent())) {
            rotated = files.filter(f -> f.getFileName().toString().matches("maillog\\.\\d{8}-\\d{6}\\.gz")).toList();
        }
        assertEquals(1, rotated.size(), "one rotated, compressed log");
        // the server writes on into a fresh maillog
        try (SmtpClient smtp = new SmtpClient(newPort)) {
            smtp.command("QUIT");
        }
        String log = waitForLog("connect from localhost[127.0.0.1]");
        log.lines().forEach(l -> assertTrue(SYSLOG_LINE.matcher(l).matches(), "Postfix log format: " + l));
    }

    @Test
    @Order(10)
    void stopEndsSessionsAndTheServer() throws Exception {
        MailSystem.Result stop = mail.run("postfix", "stop");
        assertEquals(0, stop.exit(), stop.toString());
        logged(stop, "stopping the Postfix mail system");
        // the idle established session was told, not dropped
        String last = established.reply();
        assertTrue(last == null || last.startsWith("421 4.3.2 "), String.valueOf(last));
        MailSystem.Result status = mail.run("postfix", "status");
        assertEquals(1, status.exit(), status.toString());
        assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", newPort).close());
        MailSystem.Result again = mail.run("postfix", "stop");
        assertEquals(1, again.exit());
        logged(again, "fatal: the Postfix mail system is not running");
        assertTrue(Files.readString(mail.maillog()).contains("postfix/master"));
        // the queue's database was closed, not left to the process exit: its memtables were
        // written out, so the next start has no WAL to replay
        long wal;
        try (Stream<Path> files = Files.list(mail.root.resolve("state/queue/db"))) {
            wal = files.filter(f -> f.toString().endsWith(".log")).mapToLong(f -> f.toFile().length()).sum();
        }
        assertEquals(0, wal, "bytes left in the queue database's WAL after postfix stop");
        // the queue index was saved for the next start, which an offline postqueue makes too
        assertTrue(Files.size(mail.root.resolve("state/queue/db/qmgr.index")) > 0);
        MailSystem.Result offline = mail.run("postqueue", "-p");
        assertEquals(0, offline.exit(), offline.toString());
        assertTrue(offline.out().contains("rcpt@example.com"), "the message queued earlier: " + offline);
    }

    /**
     * As Postfix's: postfix(1) writes nothing to a stderr that is not a terminal; its messages
     * are in maillog_file. The last line matching {@code message} (a regex), matched.
     */
    private Matcher logged(MailSystem.Result result, String message) throws IOException {
        assertEquals("", result.err(), "stderr is not a terminal here");
        String log = Files.readString(mail.maillog());
        Matcher m = Pattern.compile(" postfix/postfix-script\\[\\d+\\]: " + message + "$", Pattern.MULTILINE)
                .matcher(log);
        int last = -1;
        while (m.find()) last = m.start();
        assertTrue(last >= 0, "maillog has \"" + message + "\":\n" + log);
        m.find(last);
        return m;
    }

    private String waitForLog(String text) throws Exception {
        for (int i = 0; i < 50; i++) {
            if (Files.exists(mail.maillog())) {
                String log = Files.readString(mail.maillog());
                if (log.contains(text)) return log;
            }
            Thread.sleep(100);
        }
        String log = Files.exists(mail.maillog()) ? Files.readString(mail.maillog()) : "";
        assertNotNull(null, "maillog never showed \"" + text + "\":\n" + log);
        return log;
    }

    @Test
    @Order(11)
    void unimplementedProgramsSaySoAndFail() throws Exception {
        for (String program : List.of("sendmail", "newaliases")) {
            MailSystem.Result r = MailSystem.exec(List.of(MailSystem.REPO.resolve("bin/" + program).toString()), "");
            assertEquals(1, r.exit(), r.toString());
            assertEquals(program + ": fatal: not implemented yet in smarthost\n", r.err());
            assertFalse(r.out().contains("250"));
        }
    }
}
