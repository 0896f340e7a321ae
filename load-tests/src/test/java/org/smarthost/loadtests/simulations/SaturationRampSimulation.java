package org.smarthost.loadtests.simulations;

import io.gatling.javaapi.core.Simulation;
import org.smarthost.loadtests.gatling.Props;
import org.smarthost.loadtests.gatling.SmtpWorkload;

import java.time.Duration;

import static io.gatling.javaapi.core.CoreDsl.rampUsersPerSec;

/**
 * Ramp to saturation: the session arrival rate grows linearly from {@code -DrateFrom} (default 1)
 * to {@code -DrateTo} (default 500) per second over {@code -Duration} seconds (default 120).
 * Read the report's "responses per second" and "message accepted" percentiles: saturation is
 * where throughput stops following the arrival rate and accept latency climbs. Beyond it the
 * server may refuse sessions; allow that with {@code -DmaxFailedPercent}.
 */
public class SaturationRampSimulation extends Simulation {
    {
        SmtpWorkload workload = SmtpWorkload.fromSystemProperties(2048, 1);
        Duration duration = SmtpSimulations.duration(120);
        setUp(SmtpSimulations.relay("ramp to saturation", workload)
                .injectOpen(rampUsersPerSec(Props.number("rateFrom", 1))
                        .to(Props.number("rateTo", 500))
                        .during(duration)))
                .maxDuration(SmtpSimulations.maxDuration(duration))
                .assertions(SmtpSimulations.noFailures());
    }
}
