package org.smarthost.protocol.smtpd;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.smarthost.protocol.smtpd.restrictions.Restriction;
import org.smarthost.protocol.smtpd.restrictions.RestrictionContext;
import org.smarthost.protocol.smtpd.restrictions.Restrictions;
import org.smarthost.protocol.smtpd.restrictions.Verdict;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Asynchronous restrictions and queue failures keep replies in order and lose nothing. */
class SmtpdAsyncTest extends SmtpdTestSupport {

    /** Answers later on another thread, as a policy service or DNS lookup would. */
    static final class SlowRejectBad implements Restriction {
        @Override public String name() { return "check_slowly"; }

        @Override
        public CompletionStage<Verdict> evaluate(RestrictionContext ctx) {
            return CompletableFuture.supplyAsync(() -> ctx.recipient().startsWith("bad")
                    ? ctx.reject(550, "5.1.1", "<" + ctx.recipient() + ">: Recipient address rejected: slow no")
                    : Verdict.DUNNO, CompletableFuture.delayedExecutor(30, TimeUnit.MILLISECONDS));
        }
    }

    @Test
    void pipelinedRecipientsWithAnAsyncRestrictionAnswerInOrder() throws Exception {
        SmtpdSettings settings = withRestrictions(defaults(), List.of("check_slowly", "permit"), List.of());
        SmtpServer server = SmtpServer.start(settings, receiver, new InetSocketAddress("127.0.0.1", 0), "smtp",
                Restrictions.builtin().register(new SlowRejectBad()));
        try {
            SmtpTestClient c = ehlo(server);
            c.send("MAIL FROM:<a@example.org>\r\nRCPT TO:<good1@example.org>\r\nRCPT TO:<bad@example.org>\r\n"
                    + "RCPT TO:<good2@example.org>\r\nDATA\r\n");
            assertEquals("250 2.1.0 Ok", c.reply());
            assertEquals("250 2.1.5 Ok", c.reply());
            assertEquals("550 5.1.1 <bad@example.org>: Recipient address rejected: slow no", c.reply());
            assertEquals("250 2.1.5 Ok", c.reply());
            assertEquals("354 End data with <CR><LF>.<CR><LF>", c.reply());
            c.send("body\r\n.\r\nQUIT\r\n");
            assertTrue(c.reply().startsWith("250 2.0.0 Ok: queued as "));
            assertEquals("221 2.0.0 Bye", c.reply());
            assertEquals(List.of("good1@example.org", "good2@example.org"),
                    awaitMessage(0).recipients().stream().map(RcptTo::address).toList());
        } finally {
            server.shutdown(java.time.Duration.ZERO).toCompletableFuture().get();
        }
    }

    @Test
    void queueFailureIs451AndTheSessionContinues() throws Exception {
        receiver.failCommits = true;
        SmtpServer server = start(defaults());
        SmtpTestClient c = envelope(server);
        c.cmd("DATA");
        assertEquals("451 4.3.0 Error: queue file write error", c.cmd("x\r\n."));
        assertEquals(0, receiver.committed.size());
        logs.await(l -> l.matches("warning: 4Test\\d+Z: queue file write error: .*disk full.*"));
        receiver.failCommits = false;
        assertEquals("250 2.1.0 Ok", c.cmd("MAIL FROM:<a@example.org>"));
        assertEquals("250 2.1.5 Ok", c.cmd("RCPT TO:<b@example.org>"));
        c.cmd("DATA");
        assertTrue(c.cmd("y\r\n.").startsWith("250 2.0.0 Ok: queued as "));
        assertEquals("y\r\n", awaitMessage(0).text());
    }

    @Test
    void aCommitCompletedByAnotherThreadJustAfterSmtpdLookedIsStillAnswered() throws Exception {
        receiver.completeWhenObserved = true;
        SmtpServer server = start(defaults());
        SmtpTestClient c = envelope(server);
        c.cmd("DATA");
        String reply = c.cmd("x\r\n.");
        assertTrue(reply.startsWith("250 2.0.0 Ok: queued as "), reply);
        assertEquals("250 2.1.0 Ok", c.cmd("MAIL FROM:<a@example.org>"), "the session goes on");
        assertEquals(1, receiver.committed.size());
    }
}
