package org.smarthost.loadtests.simulations;

import io.gatling.javaapi.core.Simulation;
import org.smarthost.loadtests.gatling.Props;
import org.smarthost.loadtests.gatling.SmtpWorkload;

import java.time.Duration;

import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;

/**
 * Many recipients per message: {@code -Drecipients} RCPT TO per transaction (default 50), at
 * {@code -Drate} sessions per second (default 5) for {@code -Dduration} seconds (default 60).
 * "RCPT TO" latency shows the per-recipient cost; "message accepted" the whole transaction.
 */
public class ManyRecipientsSimulation extends Simulation {
    {
        SmtpWorkload workload = SmtpWorkload.fromSystemProperties(2048, 50);
        Duration duration = SmtpSimulations.duration(60);
        setUp(SmtpSimulations.relay("many recipients", workload)
                .injectOpen(constantUsersPerSec(Props.number("rate", 5)).during(duration)))
                .maxDuration(SmtpSimulations.maxDuration(duration))
                .assertions(SmtpSimulations.noFailures());
    }
}
