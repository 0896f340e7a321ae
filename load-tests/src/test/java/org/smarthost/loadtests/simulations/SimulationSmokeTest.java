package org.smarthost.loadtests.simulations;

import io.gatling.app.Gatling$;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.smarthost.loadtests.SmtpSink;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Keeps the simulations honest: each one runs for about a second at a low rate against Postfix's
 * smtp-sink, must finish with no failed request, produce its HTML report, and the messages Gatling
 * counted as accepted must have arrived at the sink. Skipped when smtp-sink is not installed.
 */
class SimulationSmokeTest {

    @TempDir
    static Path work;

    private static SmtpSink sink;
    private final SystemProperties system = new SystemProperties();

    @BeforeAll
    static void startSink() throws Exception {
        assumeTrue(SmtpSink.available(), SmtpSink.BINARY + " is absent (Debian package postfix)");
        sink = SmtpSink.start(work);
    }

    @AfterAll
    static void stopSink() throws Exception {
        if (sink != null) {
            sink.close();
        }
    }

    static Stream<Arguments> simulations() {
        return Stream.of(
                Arguments.of(SteadyRelaySimulation.class, Map.of("rate", "4", "messagesPerConnection", "2")),
                Arguments.of(SaturationRampSimulation.class, Map.of("rateFrom", "2", "rateTo", "8")),
                Arguments.of(ManyRecipientsSimulation.class, Map.of("rate", "3", "recipients", "20")),
                Arguments.of(LargeMessageSimulation.class, Map.of("rate", "2", "size", "1000000", "sizeMax", "2000000")),
                Arguments.of(ConcurrentSessionsSimulation.class, Map.of("sessions", "2")));
    }

    @ParameterizedTest
    @MethodSource("simulations")
    void runsCleanlyAgainstSmtpSink(Class<?> simulation, Map<String, String> properties) throws Exception {
        system.set("port", Integer.toString(sink.port()));
        system.set("host", "127.0.0.1");
        system.set("duration", "1");
        system.set("drain", "30");
        properties.forEach(system::set);
        Path results = work.resolve(simulation.getSimpleName());
        long before = sink.messages();

        int status = Gatling$.MODULE$.fromArgs(new String[] {
                "--simulation", simulation.getName(),
                "--results-folder", results.toString()});

        assertEquals(0, status, "Gatling exit status (non-zero: a failed request or assertion)");
        Path report = onlyReport(results);
        assertTrue(Files.isRegularFile(report.resolve("index.html")), "HTML report in " + report);
        String stats = Files.readString(report.resolve("js/stats.js"));
        long[] all = counts(stats, "All Requests");
        long[] accepted = counts(stats, "message accepted");
        assertEquals(0, all[1], "failed requests");
        assertTrue(accepted[0] > 0, "some messages were accepted");
        assertEquals(accepted[0], sink.awaitMessages(before + accepted[0], 10_000) - before,
                "messages smtp-sink received vs messages Gatling saw accepted");
    }

    /**
     * With -Dwarmup the warm-up population has rows of its own: the plain "message accepted" row
     * counts only the measured sessions. Both phases run 1 s at the same rate, so each row holds
     * the same number of messages, and the sink received the two together.
     */
    @org.junit.jupiter.api.Test
    void warmUpIsReportedApartFromTheMeasuredLoad() throws Exception {
        system.set("rate", "4");
        system.set("messagesPerConnection", "2");
        String stats = runWithWarmUp(SteadyRelaySimulation.class, "warm-up");

        long warmUp = counts(stats, SmtpSimulations.WARM_UP + "message accepted")[0];
        long measured = counts(stats, "message accepted")[0];
        assertEquals(warmUp, measured, "measured vs warm-up messages (same rate, same length)");
        assertEquals(warmUp, counts(stats, SmtpSimulations.WARM_UP + "connect")[0] * 2,
                "two messages per warm-up connection");
        assertEquals(measured, counts(stats, "connect")[0] * 2, "two messages per measured connection");
    }

    /**
     * The closed model's warm-up has rows of its own too (its measured population holds zero
     * sessions until the warm-up's time is over).
     */
    @org.junit.jupiter.api.Test
    void concurrentSessionsReportTheWarmUpApart() throws Exception {
        system.set("sessions", "2");
        runWithWarmUp(ConcurrentSessionsSimulation.class, "closed-warm-up");
    }

    /**
     * Runs {@code simulation} with 1 s of warm-up and 1 s measured against the sink: both phases
     * must have accepted messages with no failure, and the sink must have received them all.
     * Returns the report's stats.js.
     */
    private String runWithWarmUp(Class<?> simulation, String folder) throws Exception {
        system.set("port", Integer.toString(sink.port()));
        system.set("host", "127.0.0.1");
        system.set("duration", "1");
        system.set("warmup", "1");
        system.set("drain", "30");
        Path results = work.resolve(folder);
        long before = sink.messages();

        int status = Gatling$.MODULE$.fromArgs(new String[] {
                "--simulation", simulation.getName(),
                "--results-folder", results.toString()});

        assertEquals(0, status, "Gatling exit status (non-zero: a failed request or assertion)");
        String stats = Files.readString(onlyReport(results).resolve("js/stats.js"));
        long[] warmUp = counts(stats, SmtpSimulations.WARM_UP + "message accepted");
        long[] measured = counts(stats, "message accepted");
        assertTrue(warmUp[0] > 0, "the warm-up accepted messages");
        assertTrue(measured[0] > 0, "the measured sessions accepted messages");
        assertEquals(0, warmUp[1] + measured[1], "failed transactions");
        assertEquals(warmUp[0] + measured[0], sink.awaitMessages(before + warmUp[0] + measured[0], 10_000) - before,
                "messages smtp-sink received vs messages Gatling saw accepted in both phases");
        return stats;
    }

    /**
     * -DcommandStats=false leaves out the rows of successful SMTP commands, not "message accepted"
     * and not failures (a rejected RCPT TO is still a KO row).
     */
    @org.junit.jupiter.api.Test
    void commandRowsCanBeLeftOutButNotFailures() throws Exception {
        system.set("host", "127.0.0.1");
        system.set("duration", "1");
        system.set("drain", "30");
        system.set("rate", "4");
        system.set("commandStats", "false");
        system.set("port", Integer.toString(sink.port()));
        long before = sink.messages();
        Path results = work.resolve("accepted-only");
        int status = Gatling$.MODULE$.fromArgs(new String[] {
                "--simulation", SteadyRelaySimulation.class.getName(),
                "--results-folder", results.toString()});
        assertEquals(0, status, "Gatling exit status");
        String stats = Files.readString(onlyReport(results).resolve("js/stats.js"));
        long[] accepted = counts(stats, "message accepted");
        assertTrue(accepted[0] > 0, "some messages were accepted");
        assertEquals(accepted[0], counts(stats, "All Requests")[0], "every row is a message accepted");
        assertFalse(stats.contains("name: \"connect\""), "no connect row");
        assertEquals(accepted[0], sink.awaitMessages(before + accepted[0], 10_000) - before,
                "messages smtp-sink received vs messages Gatling saw accepted");

        try (SmtpSink rejecting = SmtpSink.start(work, "-f", "rcpt")) {
            system.set("port", Integer.toString(rejecting.port()));
            Path rejected = work.resolve("accepted-only-rejecting");
            assertTrue(Gatling$.MODULE$.fromArgs(new String[] {
                    "--simulation", SteadyRelaySimulation.class.getName(),
                    "--results-folder", rejected.toString()}) != 0, "Gatling must fail the run");
            String failed = Files.readString(onlyReport(rejected).resolve("js/stats.js"));
            assertTrue(counts(failed, "RCPT TO")[1] > 0, "the rejected RCPT TO are KO rows");
        }
    }

    /** The pass criterion is real: a server that rejects every RCPT TO fails the run. */
    @org.junit.jupiter.api.Test
    void failsWhenTheServerRejects() throws Exception {
        try (SmtpSink rejecting = SmtpSink.start(work, "-f", "rcpt")) {
            system.set("port", Integer.toString(rejecting.port()));
            system.set("host", "127.0.0.1");
            system.set("duration", "1");
            system.set("rate", "3");
            Path results = work.resolve("rejecting");

            int status = Gatling$.MODULE$.fromArgs(new String[] {
                    "--simulation", SteadyRelaySimulation.class.getName(),
                    "--results-folder", results.toString()});

            assertTrue(status != 0, "Gatling must fail the run, status " + status);
            String stats = Files.readString(onlyReport(results).resolve("js/stats.js"));
            long[] rcpt = counts(stats, "RCPT TO");
            assertEquals(0, rcpt[0], "no RCPT TO succeeded");
            assertTrue(rcpt[1] > 0, "the rejected RCPT TO are KO");
            assertEquals(0, rejecting.messages(), "nothing reached the sink");
        }
    }

    @AfterEach
    void restoreProperties() {
        system.restore();
    }

    static Path onlyReport(Path results) throws IOException {
        try (Stream<Path> dirs = Files.list(results)) {
            return dirs.filter(Files::isDirectory).reduce((a, b) -> {
                throw new AssertionError("more than one report in " + results);
            }).orElseThrow(() -> new AssertionError("no report in " + results));
        }
    }

    /** {ok, ko} of the named request (or "All Requests") in the report's stats.js. */
    static long[] counts(String stats, String name) {
        Pattern p = Pattern.compile("name: \"" + Pattern.quote(name) + "\",.*?\"numberOfRequests\": \\{\\s*"
                + "\"total\": \"(\\d+)\",\\s*\"ok\": \"(\\d+)\",\\s*\"ko\": \"(\\d+)\"", Pattern.DOTALL);
        Matcher m = p.matcher(stats);
        assertTrue(m.find(), "no stats for \"" + name + "\" in the report");
        return new long[] {Long.parseLong(m.group(2)), Long.parseLong(m.group(3))};
    }
}
