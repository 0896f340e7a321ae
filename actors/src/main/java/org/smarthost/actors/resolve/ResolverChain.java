package org.smarthost.actors.resolve;

import java.util.List;

/**
 * A base resolver followed by stages, in Postfix's order: address class, then transport_maps,
 * then relocated_maps. A stage that marks the result {@link Resolution.Flag#FAIL} stops the
 * chain, as a table lookup failure does in trivial-rewrite, and so does a syntax error
 * ({@link Resolution.Flag#ERROR}): no table may turn a bad address into a deliverable one.
 */
public final class ResolverChain implements AddressResolver {

    private final AddressResolver base;
    private final List<ResolveStage> stages;

    public ResolverChain(AddressResolver base, List<ResolveStage> stages) {
        this.base = base;
        this.stages = List.copyOf(stages);
    }

    @Override
    public Resolution resolve(String sender, String recipient) {
        Resolution r = base.resolve(sender, recipient);
        for (ResolveStage stage : stages) {
            if (r.failed() || r.flags().contains(Resolution.Flag.ERROR)) break;
            r = stage.apply(r);
        }
        return r;
    }
}
