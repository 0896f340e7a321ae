package org.smarthost.loadtests.simulations;

import io.gatling.app.Gatling$;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.smarthost.loadtests.DovecotAuthServer;
import org.smarthost.loadtests.Smarthost;
import org.smarthost.loadtests.SmtpSink;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.smarthost.loadtests.simulations.SimulationSmokeTest.counts;
import static org.smarthost.loadtests.simulations.SimulationSmokeTest.onlyReport;

/**
 * {@link MixedSubmissionSimulation} for a second against the real smarthost, since smtp-sink
 * speaks neither TLS nor AUTH: smarthost (the built bin/postfix) with a plain relay service and a
 * submission service that requires STARTTLS and AUTH (Dovecot, user alice), relaying to
 * smtp-sink, with a self-signed certificate made by openssl. One run with a 1 s warm-up and 1 s
 * measured must exit 0 with no failed request; the STARTTLS, "EHLO (TLS)" and AUTH rows of both
 * submission phases must be there (none for relay), every accepted message must reach the sink,
 * and smarthost's log must show a TLS session and a SASL login per submission session. A run with
 * a wrong password must fail. About 15-30 s in all, most of it smarthost's and Gatling's start.
 * Skipped when smtp-sink, Dovecot, openssl or smarthost's build is missing.
 */
class MixedSubmissionSmokeTest {

    private static Path root;
    private static SmtpSink sink;
    private static DovecotAuthServer dovecot;
    private static Smarthost smarthost;
    private static int relayPort;
    private static int submissionPort;

    private final SystemProperties system = new SystemProperties();

    @BeforeAll
    static void startSmarthost() throws Exception {
        assumeTrue(SmtpSink.available(), SmtpSink.BINARY + " is absent (Debian package postfix)");
        assumeTrue(DovecotAuthServer.available(), DovecotAuthServer.BINARY + " is absent (Debian package dovecot-core)");
        assumeTrue(Files.isExecutable(Smarthost.OPENSSL), Smarthost.OPENSSL + " is absent (Debian package openssl)");
        String unavailable = Smarthost.unavailable();
        assumeTrue(unavailable == null, unavailable);

        // Not JUnit's @TempDir (mode 0700): Dovecot's auth process, as user dovecot when we are
        // root, must reach its passwd-file below this directory.
        root = Files.createTempDirectory("smarthost-loadtest-submission");
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
        sink = SmtpSink.start(root);
        dovecot = DovecotAuthServer.start(root.resolve("dovecot"));
        Path[] keyCert = Smarthost.selfSignedCertificate(root.resolve("tls"), "smarthost-loadtest.localdomain");
        relayPort = freePort();
        submissionPort = freePort();
        long t0 = System.nanoTime();
        smarthost = Smarthost.start(root.resolve("smarthost"),
                List.of("mynetworks = 127.0.0.0/8",
                        "relayhost = [127.0.0.1]:" + sink.port(),
                        "smtpd_relay_restrictions = permit_mynetworks, reject",
                        "smtp_tls_security_level = none",
                        "smtpd_tls_security_level = may",
                        "smtpd_tls_cert_file = " + keyCert[1],
                        "smtpd_tls_key_file = " + keyCert[0],
                        "smtpd_tls_loglevel = 1",
                        "smtpd_sasl_type = dovecot",
                        "smtpd_sasl_path = " + dovecot.socket()),
                String.join("\n",
                        "127.0.0.1:" + relayPort + " inet n - n - - smtpd",
                        // submission: only an authenticated client may relay, and only after STARTTLS
                        "127.0.0.1:" + submissionPort + " inet n - n - - smtpd",
                        "  -o smtpd_tls_security_level=encrypt",
                        "  -o smtpd_sasl_auth_enable=yes",
                        "  -o smtpd_relay_restrictions=permit_sasl_authenticated,reject",
                        ""),
                relayPort, submissionPort);
        System.out.printf("smarthost listening %.1f s after postfix start%n", (System.nanoTime() - t0) / 1e9);
    }

    @AfterAll
    static void stopEverything() throws Exception {
        try {
            if (smarthost != null) {
                long t0 = System.nanoTime();
                smarthost.close();
                System.out.printf("smarthost stopped in %.1f s%n", (System.nanoTime() - t0) / 1e9);
            }
        } finally {
            if (dovecot != null) {
                dovecot.close();
            }
            if (sink != null) {
                sink.close();
            }
            if (root != null) {
                try (Stream<Path> files = Files.walk(root)) {
                    files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
                }
            }
        }
    }

    @Test
    void relayAndSubmissionWithStarttlsAndAuthRunCleanlyAgainstSmarthost() throws Exception {
        system.set("host", "127.0.0.1");
        system.set("port", Integer.toString(relayPort));
        system.set("submissionPort", Integer.toString(submissionPort));
        system.set("user", "alice");
        system.set("password", "secret");
        system.set("rate", "3");
        system.set("submissionRate", "3");
        system.set("warmup", "1");
        system.set("duration", "1");
        system.set("drain", "30");
        Path results = root.resolve("results");
        long before = sink.messages();
        long tlsBefore = logCount(TLS_LINE);
        long loginsBefore = logCount(LOGIN_LINE);

        int status = Gatling$.MODULE$.fromArgs(new String[] {
                "--simulation", MixedSubmissionSimulation.class.getName(),
                "--results-folder", results.toString()});

        assertEquals(0, status, "Gatling exit status (non-zero: a failed request or assertion)");
        Path report = onlyReport(results);
        assertTrue(Files.isRegularFile(report.resolve("index.html")), "HTML report in " + report);
        String stats = Files.readString(report.resolve("js/stats.js"));
        assertEquals(0, counts(stats, "All Requests")[1], "failed requests");

        long accepted = 0;
        long submitted = 0;
        long startTls = 0;
        for (String phase : List.of(SmtpSimulations.WARM_UP, "")) {
            String relay = phase + MixedSubmissionSimulation.RELAY;
            String submission = phase + MixedSubmissionSimulation.SUBMISSION;
            long relayed = counts(stats, relay + "message accepted")[0];
            long submittedHere = counts(stats, submission + "message accepted")[0];
            assertTrue(relayed > 0, relay + "message accepted");
            assertTrue(submittedHere > 0, submission + "message accepted");
            long sessions = counts(stats, submission + "connect")[0];
            for (String step : List.of("STARTTLS", "EHLO (TLS)", "AUTH")) {
                assertEquals(sessions, counts(stats, submission + step)[0], submission + step + ": one per session");
            }
            assertFalse(stats.contains("name: \"" + relay + "STARTTLS\""), "relay sessions use no STARTTLS");
            assertFalse(stats.contains("name: \"" + relay + "AUTH\""), "relay sessions use no AUTH");
            accepted += relayed + submittedHere;
            submitted += submittedHere;
            startTls += sessions;
        }

        assertEquals(accepted, sink.awaitMessages(before + accepted, 30_000) - before,
                "messages smtp-sink received vs messages Gatling saw accepted");
        // smarthost's own account: a TLS session and a SASL login per submission session
        assertEquals(startTls, awaitLogCount(TLS_LINE, tlsBefore + startTls) - tlsBefore,
                "TLS sessions in smarthost's maillog");
        assertEquals(submitted, awaitLogCount(LOGIN_LINE, loginsBefore + submitted) - loginsBefore,
                "messages submitted by alice in smarthost's maillog");
    }

    /** A wrong password is a KO "AUTH" row with smarthost's 535, and fails the run; nothing is sent. */
    @Test
    void aRejectedAuthFailsTheRun() throws Exception {
        system.set("host", "127.0.0.1");
        system.set("port", Integer.toString(relayPort));
        system.set("submissionPort", Integer.toString(submissionPort));
        system.set("user", "alice");
        system.set("password", "wrong");
        system.set("rate", "0"); // submission only
        system.set("submissionRate", "2");
        system.set("duration", "1");
        system.set("drain", "30");
        Path results = root.resolve("results-rejected");
        long before = sink.messages();

        int status = Gatling$.MODULE$.fromArgs(new String[] {
                "--simulation", MixedSubmissionSimulation.class.getName(),
                "--results-folder", results.toString()});

        assertTrue(status != 0, "Gatling must fail the run, status " + status);
        String stats = Files.readString(onlyReport(results).resolve("js/stats.js"));
        long[] auth = counts(stats, MixedSubmissionSimulation.SUBMISSION + "AUTH");
        assertEquals(0, auth[0], "no AUTH succeeded");
        assertTrue(auth[1] > 0, "the rejected AUTH are KO");
        assertTrue(counts(stats, MixedSubmissionSimulation.SUBMISSION + "STARTTLS")[0] > 0, "TLS worked");
        assertFalse(stats.contains("message accepted\""), "no transaction was tried");
        assertEquals(before, sink.messages(), "nothing reached the sink");
    }

    private static final String TLS_LINE = "Anonymous TLS connection established from";
    private static final String LOGIN_LINE = "sasl_method=PLAIN, sasl_username=alice";

    /** Occurrences of {@code text} in smarthost's maillog so far. */
    private static long logCount(String text) throws IOException {
        return smarthost.maillogText().lines().filter(l -> l.contains(text)).count();
    }

    /** Occurrences of {@code text} in smarthost's maillog, once there are {@code expected} (at most 10 s). */
    private static long awaitLogCount(String text, long expected) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        long seen = logCount(text);
        while (seen < expected && System.nanoTime() < deadline) {
            Thread.sleep(50);
            seen = logCount(text);
        }
        return seen;
    }

    @AfterEach
    void restoreProperties() {
        system.restore();
    }

    private static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }
}
