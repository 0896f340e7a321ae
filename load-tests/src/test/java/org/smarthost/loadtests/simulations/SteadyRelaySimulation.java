package org.smarthost.loadtests.simulations;

import io.gatling.javaapi.core.OpenInjectionStep;
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
 * Steady relay load: {@code -Drate} new SMTP sessions per second (default 10) for
 * {@code -Dduration} seconds (default 60), {@code -Dsize} octets (default 2048) to
 * {@code -Drecipients} recipients (default 1), {@code -DmessagesPerConnection} per session.
 *
 * <p>{@code -Dwarmup} seconds (default 0) first run the same load unmeasured: a fresh Gatling
 * JVM interprets and JIT-compiles its own hot paths during its first seconds, which would
 * otherwise show up as the server's latency. The warm-up's requests are reported as
 * "warm-up: message accepted" etc., so the plain rows hold only the measured load. The measured
 * population starts {@code -Dwarmup} seconds after the warm-up's ({@code nothingFor}), not when
 * its last session has ended ({@code andThen}): the arrival rate stays constant across the switch,
 * and one slow warm-up session cannot postpone the measurement by up to {@code -DreplyTimeout}.
 */
public class SteadyRelaySimulation extends Simulation {
    {
        SmtpWorkload workload = SmtpWorkload.fromSystemProperties(2048, 1);
        double rate = Props.number("rate", 10);
        Duration duration = SmtpSimulations.duration(60);
        Duration warmUp = SmtpSimulations.warmUp();
        OpenInjectionStep measured = constantUsersPerSec(rate).during(duration);
        List<PopulationBuilder> load = new ArrayList<>();
        if (warmUp.isZero()) {
            load.add(SmtpSimulations.relay("steady relay", workload).injectOpen(measured));
        } else {
            load.add(SmtpSimulations.relay("steady relay warm-up", workload.withRequestPrefix(SmtpSimulations.WARM_UP))
                    .injectOpen(constantUsersPerSec(rate).during(warmUp)));
            load.add(SmtpSimulations.relay("steady relay", workload).injectOpen(nothingFor(warmUp), measured));
        }
        setUp(load)
                .maxDuration(SmtpSimulations.maxDuration(warmUp.plus(duration)))
                .assertions(SmtpSimulations.noFailures());
    }
}
