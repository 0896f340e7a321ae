package org.smarthost.loadtests.simulations;

import io.gatling.javaapi.core.Simulation;
import org.smarthost.loadtests.gatling.Props;
import org.smarthost.loadtests.gatling.SmtpWorkload;

import java.time.Duration;

import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;

/**
 * Large messages: sizes drawn uniformly from {@code -Dsize} to {@code -DsizeMax} octets (default
 * 1 MB to 10 MB) at {@code -Drate} sessions per second (default 1) for {@code -Dduration} seconds
 * (default 60). "end of data" is the time from the last octet to the 250: the server's commit.
 * The target's message_size_limit must allow sizeMax (Postfix's default is 10240000).
 */
public class LargeMessageSimulation extends Simulation {
    {
        int mb = 1_000_000;
        SmtpWorkload workload = SmtpWorkload.fromSystemProperties(mb, 10 * mb, 1);
        Duration duration = SmtpSimulations.duration(60);
        setUp(SmtpSimulations.relay("large messages", workload)
                .injectOpen(constantUsersPerSec(Props.number("rate", 1)).during(duration)))
                .maxDuration(SmtpSimulations.maxDuration(duration))
                .assertions(SmtpSimulations.noFailures());
    }
}
