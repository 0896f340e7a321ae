package org.smarthost.loadtests.simulations;

import io.gatling.javaapi.core.Simulation;
import org.smarthost.loadtests.gatling.Props;
import org.smarthost.loadtests.gatling.SmtpWorkload;

import java.time.Duration;

import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;

/**
 * Steady relay load: {@code -Drate} new SMTP sessions per second (default 10) for
 * {@code -Dduration} seconds (default 60), {@code -Dsize} octets (default 2048) to
 * {@code -Drecipients} recipients (default 1).
 */
public class SteadyRelaySimulation extends Simulation {
    {
        SmtpWorkload workload = SmtpWorkload.fromSystemProperties(2048, 1);
        Duration duration = SmtpSimulations.duration(60);
        setUp(SmtpSimulations.relay("steady relay", workload)
                .injectOpen(constantUsersPerSec(Props.number("rate", 10)).during(duration)))
                .maxDuration(SmtpSimulations.maxDuration(duration))
                .assertions(SmtpSimulations.noFailures());
    }
}
