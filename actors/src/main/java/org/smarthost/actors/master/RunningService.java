package org.smarthost.actors.master;

import java.time.Duration;
import java.util.concurrent.CompletionStage;

/** A started service. */
public interface RunningService {

    /** Where it listens, for the log ("127.0.0.1:2525"), or empty for non-network services. */
    String endpoint();

    /** Close the listening socket; established sessions continue. */
    void stopAccepting();

    /**
     * Reload closed this service: stop accepting (if not yet done) and complete once the
     * established sessions have ended on their own, as Postfix's daemons finish their current
     * client after a reload. Nobody is cut off.
     */
    CompletionStage<Void> drain();

    /** Stop accepting and end sessions: they get {@code grace} to finish, then a 421. */
    CompletionStage<Void> shutdown(Duration grace);
}
