package org.smarthost.app;

import java.util.Arrays;
import org.smarthost.app.cli.Commands;
import org.smarthost.app.logging.Maillog;

/**
 * The one entry point behind bin/postfix, bin/postconf, bin/postqueue ...: the first argument
 * names the Postfix program to run, the rest are that program's own arguments.
 */
public final class Main {

    private Main() {
    }

    /**
     * Pekko's ask answers are Scala futures seen as CompletableFutures, and Scala runs every
     * callback on them asynchronously on the common pool. On a 2-core machine that pool has a
     * parallelism of 1, and the JDK then starts a new thread for every async task: thousands
     * of threads a second under load. A pool of at least two threads avoids that.
     */
    private static final String COMMON_POOL_PARALLELISM = "java.util.concurrent.ForkJoinPool.common.parallelism";

    public static void main(String[] args) {
        if (System.getProperty(COMMON_POOL_PARALLELISM) == null) {
            System.setProperty(COMMON_POOL_PARALLELISM,
                    Integer.toString(Math.max(2, Runtime.getRuntime().availableProcessors())));
        }
        if (args.length == 0) {
            System.err.println("smarthost: fatal: usage: smarthost program [arguments...]");
            System.err.println("programs: " + String.join(", ", Commands.names()));
            System.exit(1);
        }
        int status = Commands.run(args[0], Arrays.copyOfRange(args, 1, args.length));
        Maillog.flush();
        System.exit(status);
    }
}
