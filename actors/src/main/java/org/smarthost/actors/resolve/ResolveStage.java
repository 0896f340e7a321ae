package org.smarthost.actors.resolve;

/**
 * One step after the address-class resolution, such as transport_maps or relocated_maps.
 * A stage sees the result so far and returns it unchanged or overridden.
 */
@FunctionalInterface
public interface ResolveStage {

    Resolution apply(Resolution current);
}
