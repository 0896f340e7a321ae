package org.smarthost.actors.master;

import java.util.concurrent.CompletionStage;

/**
 * A prepared service. Implementations are value objects (records): on reload the master keeps
 * a running service whose new launcher {@code equals} the old one, and replaces it otherwise.
 */
public interface ServiceLauncher {

    /** Starts the service; completes once it accepts work (for inet services: listens). */
    CompletionStage<RunningService> start();
}
