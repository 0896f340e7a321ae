package org.smarthost.actors.master;

import java.util.Set;

/**
 * Postfix daemons a stock master.cf runs that smarthost serves in-process (queue manager,
 * cleanup, bounce, rewriting, delivery agents ...) or does not need (anvil, scache, postlogd,
 * tlsmgr ...). Their master.cf lines are accepted silently: one JVM does what those processes
 * do, configured from main.cf.
 */
final class PostfixDaemons {

    static final Set<String> IN_PROCESS = Set.of(
            "pickup", "cleanup", "qmgr", "nqmgr", "oqmgr", "tlsmgr", "trivial-rewrite", "bounce", "verify",
            "flush", "proxymap", "showq", "error", "discard", "local", "virtual", "lmtp", "smtp", "anvil",
            "scache", "postlogd", "pipe", "spawn", "dnsblog", "tlsproxy");

    private PostfixDaemons() {
    }
}
