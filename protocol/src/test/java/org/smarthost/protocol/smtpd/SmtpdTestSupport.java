package org.smarthost.protocol.smtpd;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Starts real servers on 127.0.0.1 port 0 with a recording receiver; stops them after each test. */
abstract class SmtpdTestSupport {

    static final String HOST = "mx.example.com";

    @TempDir
    Path tmp;
    RecordingReceiver receiver;
    LogCapture logs;
    private final List<SmtpServer> servers = new ArrayList<>();
    private final List<SmtpTestClient> clients = new ArrayList<>();

    @BeforeEach
    void setUpSupport() {
        receiver = new RecordingReceiver(tmp);
        logs = new LogCapture();
    }

    @AfterEach
    void tearDownSupport() throws Exception {
        for (SmtpTestClient c : clients) c.close();
        for (SmtpServer s : servers) s.shutdown(Duration.ZERO).toCompletableFuture().get();
        logs.close();
    }

    static SmtpdSettings defaults() {
        return SmtpdSettings.defaults(HOST);
    }

    // The overrides the tests use, on top of SmtpdSettings' groups.

    static SmtpdSettings withLimits(SmtpdSettings s, long messageSizeLimit, int lineLengthLimit,
                                    int smtpdRecipientLimit, int smtpdHardErrorLimit, int smtpdSoftErrorLimit,
                                    Duration smtpdErrorSleepTime, int processLimit) {
        SmtpdSettings.Limits l = s.limits();
        return s.with(new SmtpdSettings.Limits(messageSizeLimit, lineLengthLimit, smtpdRecipientLimit,
                l.smtpdRecipientOvershootLimit(), l.smtpdTimeout(), smtpdHardErrorLimit, smtpdSoftErrorLimit,
                smtpdErrorSleepTime, l.smtpdJunkCommandLimit())).withProcessLimit(processLimit);
    }

    static SmtpdSettings withSmtpdTimeout(SmtpdSettings s, Duration smtpdTimeout) {
        SmtpdSettings.Limits l = s.limits();
        return s.with(new SmtpdSettings.Limits(l.messageSizeLimit(), l.lineLengthLimit(), l.smtpdRecipientLimit(),
                l.smtpdRecipientOvershootLimit(), smtpdTimeout, l.smtpdHardErrorLimit(), l.smtpdSoftErrorLimit(),
                l.smtpdErrorSleepTime(), l.smtpdJunkCommandLimit()));
    }

    static SmtpdSettings withNetworks(SmtpdSettings s, List<String> mynetworks, List<String> mydestination,
                                      List<String> relayDomains) {
        SmtpdSettings.Access a = s.access();
        return s.with(new SmtpdSettings.Access(mynetworks, mydestination, relayDomains,
                a.parentDomainMatchesSubdomains(), a.smtpdClientRestrictions(), a.smtpdHeloRestrictions(),
                a.smtpdSenderRestrictions(), a.smtpdRelayRestrictions(), a.smtpdRecipientRestrictions(),
                a.smtpdDataRestrictions(),
                a.relayDomainsRejectCode(), a.rejectCode(), a.deferCode(), a.nonFqdnRejectCode(),
                a.multiRecipientBounceRejectCode()));
    }

    static SmtpdSettings withDataRestrictions(SmtpdSettings s, List<String> smtpdDataRestrictions) {
        SmtpdSettings.Access a = s.access();
        return withRestrictionLists(s, a.smtpdRelayRestrictions(), a.smtpdRecipientRestrictions(), smtpdDataRestrictions);
    }

    static SmtpdSettings withRestrictions(SmtpdSettings s, List<String> smtpdRelayRestrictions,
                                          List<String> smtpdRecipientRestrictions) {
        return withRestrictionLists(s, smtpdRelayRestrictions, smtpdRecipientRestrictions,
                s.access().smtpdDataRestrictions());
    }

    private static SmtpdSettings withRestrictionLists(SmtpdSettings s, List<String> smtpdRelayRestrictions,
                                                      List<String> smtpdRecipientRestrictions,
                                                      List<String> smtpdDataRestrictions) {
        SmtpdSettings.Access a = s.access();
        return s.with(new SmtpdSettings.Access(a.mynetworks(), a.mydestination(), a.relayDomains(),
                a.parentDomainMatchesSubdomains(), a.smtpdClientRestrictions(), a.smtpdHeloRestrictions(),
                a.smtpdSenderRestrictions(), smtpdRelayRestrictions, smtpdRecipientRestrictions,
                smtpdDataRestrictions,
                a.relayDomainsRejectCode(), a.rejectCode(), a.deferCode(), a.nonFqdnRejectCode(),
                a.multiRecipientBounceRejectCode()));
    }

    static SmtpdSettings withProtocolChecks(SmtpdSettings s, boolean disableVrfyCommand, String smtpdForbidBareNewline,
                                            List<String> smtpdForbidBareNewlineExclusions,
                                            boolean smtpdForbidUnauthPipelining) {
        SmtpdSettings.Checks c = s.checks();
        return s.with(new SmtpdSettings.Checks(disableVrfyCommand, smtpdForbidBareNewline,
                smtpdForbidBareNewlineExclusions, c.smtpdForbidBareNewlineRejectCode(), smtpdForbidUnauthPipelining,
                c.smtpdDiscardEhloKeywords(), c.smtputf8Enable(), c.smtpdHeloRequired(), c.strictRfc821Envelopes()));
    }

    /** smtpd_helo_required and strict_rfc821_envelopes as given, every other check as in {@code s}. */
    static SmtpdSettings withEnvelopeChecks(SmtpdSettings s, boolean heloRequired, boolean strictRfc821) {
        SmtpdSettings.Checks c = s.checks();
        return s.with(new SmtpdSettings.Checks(c.disableVrfyCommand(), c.smtpdForbidBareNewline(),
                c.smtpdForbidBareNewlineExclusions(), c.smtpdForbidBareNewlineRejectCode(),
                c.smtpdForbidUnauthPipelining(), c.smtpdDiscardEhloKeywords(), c.smtputf8Enable(), heloRequired,
                strictRfc821));
    }

    /** What a client program printed (stdout and stderr together) and its exit status. */
    record Run(int exit, String output) {
    }

    /** Runs a real client program to its end (30 s at most). */
    static Run run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        if (!p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("client timed out: " + cmd);
        }
        return new Run(p.exitValue(), new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
    }

    /** Waits up to 10 s for something that happens on the server's threads. */
    static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        if (!awaitTrue(condition, 10_000)) throw new AssertionError("condition not met in 10 s");
    }

    /** Polls {@code condition} for up to {@code millis}; whether it became true. */
    static boolean awaitTrue(java.util.function.BooleanSupplier condition, long millis) throws InterruptedException {
        long end = System.nanoTime() + java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(millis);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) return false;
            Thread.sleep(10);
        }
        return true;
    }

    SmtpServer start(SmtpdSettings settings) {
        return start(settings, receiver);
    }

    SmtpServer start(SmtpdSettings settings, MessageReceiver r) {
        SmtpServer s = SmtpServer.start(settings, r, new InetSocketAddress("127.0.0.1", 0), "smtp");
        servers.add(s);
        return s;
    }

    SmtpTestClient connect(SmtpServer server) throws IOException {
        SmtpTestClient c = new SmtpTestClient(server.boundAddress());
        clients.add(c);
        return c;
    }

    /** Connects, checks the banner and says EHLO. */
    SmtpTestClient ehlo(SmtpServer server) throws IOException {
        SmtpTestClient c = connect(server);
        assertEquals("220 " + HOST + " ESMTP Postfix", c.reply());
        assertTrue(c.cmd("EHLO client.example").startsWith("250-" + HOST));
        return c;
    }

    /** Connects, says EHLO, MAIL and RCPT. */
    SmtpTestClient envelope(SmtpServer server) throws IOException {
        SmtpTestClient c = ehlo(server);
        assertEquals("250 2.1.0 Ok", c.cmd("MAIL FROM:<sender@example.org>"));
        assertEquals("250 2.1.5 Ok", c.cmd("RCPT TO:<rcpt@example.net>"));
        return c;
    }

    RecordingReceiver.Message awaitMessage(int index) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (receiver.committed.size() <= index && System.nanoTime() < end) Thread.sleep(5);
        assertTrue(receiver.committed.size() > index, "message " + index + " not committed");
        return receiver.committed.get(index);
    }
}
