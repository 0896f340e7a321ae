package org.smarthost.protocol.smtpd;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Session limits, timeouts, lost connections, graceful shutdown and the process limit. */
class SmtpdLimitsTest extends SmtpdTestSupport {

    @Test
    void recipientLimit() throws Exception {
        SmtpServer server = start(withLimits(defaults(), 10_240_000, 2048, 2, 20, 10, Duration.ZERO, 100));
        SmtpTestClient c = ehlo(server);
        assertEquals("250 2.1.0 Ok", c.cmd("MAIL FROM:<a@example.org>"));
        assertEquals("250 2.1.5 Ok", c.cmd("RCPT TO:<r1@example.org>"));
        assertEquals("250 2.1.5 Ok", c.cmd("RCPT TO:<r2@example.org>"));
        assertEquals("452 4.5.3 Error: too many recipients", c.cmd("RCPT TO:<r3@example.org>"));
        c.cmd("DATA");
        assertTrue(c.cmd("x\r\n.").startsWith("250 "));
        assertEquals(2, awaitMessage(0).recipients().size());
    }

    @Test
    void hardErrorLimitDisconnects() throws Exception {
        SmtpServer server = start(withLimits(defaults(), 10_240_000, 2048, 1000, 3, 10, Duration.ZERO, 100));
        SmtpTestClient c = ehlo(server);
        assertEquals("500 5.5.2 Error: command not recognized", c.cmd("BOGUS1"));
        assertEquals("503 5.5.1 Error: need MAIL command", c.cmd("RCPT TO:<a@example.org>"));
        c.send("BOGUS3\r\n");
        assertEquals("500 5.5.2 Error: command not recognized", c.reply());
        assertEquals("421 4.7.0 " + HOST + " Error: too many errors", c.reply());
        assertTrue(c.closedByServer());
        logs.await(l -> l.equals("too many errors after UNKNOWN from localhost[127.0.0.1]"));
        logs.await(l -> l.equals("disconnect from localhost[127.0.0.1] ehlo=1 rcpt=0/1 unknown=0/2 commands=1/4"));
    }

    @Test
    void softErrorLimitSlowsRepliesDown() throws Exception {
        // smtpd_soft_error_limit = 1 and a 300 ms sleep: the replies after the first error are delayed.
        SmtpServer server = start(withLimits(defaults(), 10_240_000, 2048, 1000, 20, 1, Duration.ofMillis(300), 100));
        SmtpTestClient c = ehlo(server);
        assertEquals("500 5.5.2 Error: command not recognized", c.cmd("BOGUS"));
        c.send("NOOP\r\n");
        c.timeout(100);
        assertThrowsTimeout(c);
        c.timeout(5000);
        assertEquals("250 2.0.0 Ok", c.reply());
    }

    private static void assertThrowsTimeout(SmtpTestClient c) {
        try {
            String r = c.reply();
            throw new AssertionError("reply came without the error sleep: " + r);
        } catch (java.net.SocketTimeoutException expected) {
            // the server is sleeping, as Postfix does
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void idleTimeoutGets421() throws Exception {
        SmtpServer server = start(withSmtpdTimeout(defaults(), Duration.ofMillis(300)));
        SmtpTestClient c = envelope(server);
        assertEquals("421 4.4.2 " + HOST + " Error: timeout exceeded", c.reply());
        assertTrue(c.closedByServer());
        logs.await(l -> l.equals("timeout after RCPT from localhost[127.0.0.1]"));
        logs.await(l -> l.startsWith("disconnect from localhost[127.0.0.1]"));
        assertEquals(receiver.opened, receiver.aborted);
    }

    @Test
    void timeoutInsideDataAbortsTheTransaction() throws Exception {
        SmtpServer server = start(withSmtpdTimeout(defaults(), Duration.ofMillis(300)));
        SmtpTestClient c = envelope(server);
        c.cmd("DATA");
        c.send("Subject: stalled\r\n\r\n0123456789\r\n");
        assertEquals("421 4.4.2 " + HOST + " Error: timeout exceeded", c.reply());
        logs.await(l -> l.equals("timeout after DATA (32 bytes) from localhost[127.0.0.1]"));
        logs.await(l -> l.startsWith("disconnect from localhost[127.0.0.1]"));
        assertEquals(0, receiver.committed.size());
        assertEquals(1, receiver.aborted.size());
    }

    @Test
    void lostConnectionMidDataAbortsAndNeverCommits() throws Exception {
        SmtpServer server = start(defaults());
        SmtpTestClient c = envelope(server);
        c.cmd("DATA");
        c.send("Subject: half\r\n\r\nhalf a message\r\n");
        c.abort();
        logs.await(l -> l.equals("lost connection after DATA (33 bytes) from localhost[127.0.0.1]"));
        logs.await(l -> l.startsWith("disconnect from localhost[127.0.0.1] ehlo=1 mail=1 rcpt=1 data=0/1 commands=3/4"));
        assertEquals(0, receiver.committed.size());
        assertEquals(receiver.opened, receiver.aborted);
    }

    @Test
    void lostConnectionAfterRcptIsLogged() throws Exception {
        SmtpServer server = start(defaults());
        SmtpTestClient c = envelope(server);
        c.close();
        logs.await(l -> l.equals("lost connection after RCPT from localhost[127.0.0.1]"));
        logs.await(l -> l.startsWith("disconnect from localhost[127.0.0.1]"));
        assertEquals(receiver.opened, receiver.aborted);
    }

    @Test
    void gracefulShutdownLetsTransactionsFinishAndTellsIdleSessions() throws Exception {
        SmtpServer server = start(defaults());
        SmtpTestClient idle = ehlo(server);
        SmtpTestClient busy = envelope(server);
        busy.cmd("DATA");
        busy.send("Subject: finishing\r\n\r\n");
        var stopped = server.shutdown(Duration.ofSeconds(10)).toCompletableFuture();
        assertEquals("421 4.3.2 " + HOST + " Service shutting down", idle.reply());
        assertTrue(idle.closedByServer());
        assertFalse(stopped.isDone());
        String r = busy.cmd("still here\r\n.");
        assertTrue(r.startsWith("250 2.0.0 Ok: queued as "), r);
        assertEquals("421 4.3.2 " + HOST + " Service shutting down", busy.reply());
        stopped.get(10, TimeUnit.SECONDS);
        assertEquals("Subject: finishing\r\n\r\nstill here\r\n", awaitMessage(0).text());
        assertEquals(0, server.activeSessions());
    }

    @Test
    void shutdownGraceEndsStalledSessions() throws Exception {
        SmtpServer server = start(defaults());
        SmtpTestClient busy = envelope(server);
        busy.cmd("DATA");
        server.shutdown(Duration.ofMillis(200)).toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertEquals("421 4.3.2 " + HOST + " Service shutting down", busy.reply());
        assertTrue(busy.closedByServer());
        logs.await(l -> l.startsWith("disconnect from localhost[127.0.0.1]"));
        assertEquals(receiver.opened, receiver.aborted);
    }

    @Test
    void processLimitStopsAcceptingUntilASessionEnds() throws Exception {
        SmtpServer server = start(withLimits(defaults(), 10_240_000, 2048, 1000, 20, 10, Duration.ZERO, 2));
        SmtpTestClient a = ehlo(server);
        SmtpTestClient b = ehlo(server);
        // The third connection completes in the kernel backlog but gets no banner yet.
        SmtpTestClient c = connect(server);
        c.timeout(300);
        try {
            String r = c.reply();
            throw new AssertionError("third session served beyond the process limit: " + r);
        } catch (java.net.SocketTimeoutException expected) {
            // waiting, as with Postfix's master at maxproc
        }
        assertEquals(2, server.activeSessions());
        assertEquals("221 2.0.0 Bye", a.cmd("QUIT"));
        c.timeout(5000);
        assertEquals("220 " + HOST + " ESMTP Postfix", c.reply());
        assertEquals("221 2.0.0 Bye", b.cmd("QUIT"));
        assertEquals("221 2.0.0 Bye", c.cmd("QUIT"));
        assertNull(c.reply());
    }
}
