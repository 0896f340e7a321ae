package org.smarthost.loadtests.simulations;

import io.gatling.javaapi.core.PopulationBuilder;
import io.gatling.javaapi.core.Simulation;
import org.smarthost.loadtests.gatling.Props;
import org.smarthost.loadtests.gatling.SmtpWorkload;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.nothingFor;

/**
 * Relay and submission at once, as an MTA with a submission service sees them: two open-model
 * populations for {@code -Dduration} seconds (default 60).
 *
 * <ul>
 *   <li><b>relay</b>: {@code -Drate} plain sessions per second (default 10) on {@code -Dport},
 *       as {@link SteadyRelaySimulation} (no STARTTLS, no AUTH, whatever {@code -Dtls} says);
 *       rows "relay: connect", "relay: message accepted", ...</li>
 *   <li><b>submission</b>: {@code -DsubmissionRate} sessions per second (default 10) on
 *       {@code -DsubmissionPort} (default 587): EHLO, STARTTLS (the server's certificate is not
 *       verified), EHLO again, AUTH PLAIN as {@code -Duser} with {@code -Dpassword} (both
 *       required), then the transactions; rows "submission: STARTTLS", "submission: EHLO (TLS)",
 *       "submission: AUTH", "submission: message accepted", ...</li>
 * </ul>
 *
 * A rate of 0 leaves that population out. Message size, recipients and messages per connection
 * are the same for both ({@code -Dsize}, {@code -Drecipients}, {@code -DmessagesPerConnection}).
 * {@code -Dwarmup} seconds (default 0) of the same two loads come first, reported as
 * "warm-up: relay: ..." and "warm-up: submission: ..." rows, the measured populations starting
 * when the warm-up's time is over ({@code nothingFor}), as in {@link SteadyRelaySimulation}.
 */
public class MixedSubmissionSimulation extends Simulation {

    static final String RELAY = "relay: ";
    static final String SUBMISSION = "submission: ";

    {
        SmtpWorkload base = SmtpWorkload.fromSystemProperties(2048, 1);
        SmtpWorkload relay = base.withTls(false).withAuth(null, null);
        String user = Props.string("user", null);
        String password = System.getProperty("password");
        if (user == null || password == null) {
            throw new IllegalArgumentException(
                    "MixedSubmissionSimulation needs -Duser and -Dpassword for AUTH PLAIN on the submission port");
        }
        SmtpWorkload submission = base.withPort(Props.integer("submissionPort", 587))
                .withTls(true)
                .withAuth(user, password);
        double relayRate = Props.number("rate", 10);
        double submissionRate = Props.number("submissionRate", 10);
        if (relayRate < 0 || submissionRate < 0 || relayRate + submissionRate <= 0) {
            throw new IllegalArgumentException("-Drate and -DsubmissionRate must be 0 or more, not both 0; got "
                    + relayRate + " and " + submissionRate);
        }
        Duration duration = SmtpSimulations.duration(60);
        Duration warmUp = SmtpSimulations.warmUp();
        List<PopulationBuilder> load = new ArrayList<>();
        add(load, "relay", relay.withRequestPrefix(RELAY), relayRate, duration, warmUp);
        add(load, "submission", submission.withRequestPrefix(SUBMISSION), submissionRate, duration, warmUp);
        setUp(load)
                .maxDuration(SmtpSimulations.maxDuration(warmUp.plus(duration)))
                .assertions(SmtpSimulations.noFailures());
    }

    /** One population at {@code rate} sessions/s, with its warm-up before it when there is one. */
    private static void add(List<PopulationBuilder> load, String name, SmtpWorkload workload, double rate,
                            Duration duration, Duration warmUp) {
        if (rate == 0) {
            return;
        }
        if (warmUp.isZero()) {
            load.add(SmtpSimulations.relay("mixed " + name, workload)
                    .injectOpen(constantUsersPerSec(rate).during(duration)));
            return;
        }
        load.add(SmtpSimulations.relay("mixed " + name + " warm-up",
                        workload.withRequestPrefix(SmtpSimulations.WARM_UP + workload.requestPrefix()))
                .injectOpen(constantUsersPerSec(rate).during(warmUp)));
        load.add(SmtpSimulations.relay("mixed " + name, workload)
                .injectOpen(nothingFor(warmUp), constantUsersPerSec(rate).during(duration)));
    }
}
