package org.smarthost.loadtests.simulations;

import io.gatling.javaapi.core.PopulationBuilder;
import io.gatling.javaapi.core.Simulation;
import org.smarthost.loadtests.gatling.Props;
import org.smarthost.loadtests.gatling.SmtpWorkload;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.gatling.javaapi.core.CoreDsl.constantConcurrentUsers;

/**
 * Closed model: {@code -Dsessions} SMTP sessions (default 50) are open at every moment for
 * {@code -Dduration} seconds (default 60); when one ends the next starts at once, as with
 * {@code smtp-source -s N}. The measured "message accepted" count over the duration is the
 * saturation rate with Gatling itself as the client: on a host shared with the server, the rate
 * that the server and this load generator reach together: its fractions are loads Gatling has a
 * chance to offer (those of a saturation measured with a lighter client may not be), though an
 * open model at the same rate costs Gatling more than this closed one.
 *
 * <p>{@code -Dwarmup} seconds (default 0) of the same load come first, reported as "warm-up: ..."
 * rows; the measured population holds no session until the warm-up's time is over.
 */
public class ConcurrentSessionsSimulation extends Simulation {
    {
        SmtpWorkload workload = SmtpWorkload.fromSystemProperties(2048, 1);
        int sessions = Props.integer("sessions", 50);
        if (sessions < 1) {
            throw new IllegalArgumentException("-Dsessions must be 1 or more, got " + sessions);
        }
        Duration duration = SmtpSimulations.duration(60);
        Duration warmUp = SmtpSimulations.warmUp();
        List<PopulationBuilder> load = new ArrayList<>();
        if (warmUp.isZero()) {
            load.add(SmtpSimulations.relay("concurrent sessions", workload)
                    .injectClosed(constantConcurrentUsers(sessions).during(duration)));
        } else {
            load.add(SmtpSimulations.relay("concurrent sessions warm-up", workload.withRequestPrefix(SmtpSimulations.WARM_UP))
                    .injectClosed(constantConcurrentUsers(sessions).during(warmUp)));
            load.add(SmtpSimulations.relay("concurrent sessions", workload)
                    .injectClosed(constantConcurrentUsers(0).during(warmUp),
                            constantConcurrentUsers(sessions).during(duration)));
        }
        setUp(load)
                .maxDuration(SmtpSimulations.maxDuration(warmUp.plus(duration)))
                .assertions(SmtpSimulations.noFailures());
    }
}
