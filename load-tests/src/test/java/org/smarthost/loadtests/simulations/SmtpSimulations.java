package org.smarthost.loadtests.simulations;

import io.gatling.javaapi.core.Assertion;
import io.gatling.javaapi.core.ScenarioBuilder;
import org.smarthost.loadtests.gatling.Props;
import org.smarthost.loadtests.gatling.Smtp;
import org.smarthost.loadtests.gatling.SmtpWorkload;

import java.time.Duration;

import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.scenario;

/** What every simulation shares: the relay scenario, its length and its pass criterion. */
final class SmtpSimulations {

    /** Request-name prefix of the unmeasured warm-up population: "warm-up: message accepted". */
    static final String WARM_UP = "warm-up: ";

    private SmtpSimulations() {
    }

    /**
     * Each virtual user is one SMTP client session sending {@code -DmessagesPerConnection}
     * messages, after STARTTLS and AUTH when the workload has them ({@code -Dtls}, {@code -Duser}).
     */
    static ScenarioBuilder relay(String name, SmtpWorkload workload) {
        return scenario(name).exec(Smtp.session(workload, Props.integer("messagesPerConnection", 1)));
    }

    /** {@code -Dduration} seconds of injection. */
    static Duration duration(int defaultSeconds) {
        return Duration.ofSeconds(Props.integer("duration", defaultSeconds));
    }

    /** {@code -Dwarmup} seconds of unmeasured load before the measured injection (default 0). */
    static Duration warmUp() {
        int seconds = Props.integer("warmup", 0);
        if (seconds < 0) {
            throw new IllegalArgumentException("-Dwarmup must be 0 or more seconds, got " + seconds);
        }
        return Duration.ofSeconds(seconds);
    }

    /** Hard stop: injection time plus {@code -Ddrain} seconds for the last sessions to finish. */
    static Duration maxDuration(Duration injection) {
        return injection.plusSeconds(Props.integer("drain", 120));
    }

    /**
     * The run fails (non-zero exit, red report) when more than {@code -DmaxFailedPercent} of the
     * requests (default 0) got an unexpected reply or a transport error.
     */
    static Assertion noFailures() {
        return global().failedRequests().percent().lte(Props.number("maxFailedPercent", 0.0));
    }
}
