package org.smarthost.app.queue;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine;

/** What the queue tools share: picocli set up the way Postfix programs parse and fail. */
final class ToolSupport {

    /** Longer than a query's wait for the index load at start: the queue's own asks time out first. */
    static final Duration TIMEOUT = org.smarthost.actors.queue.QueueSystem.LOAD_WAIT.plusMinutes(1);

    private ToolSupport() { }

    /**
     * Parses {@code args} into {@code tool} and runs it. A bad option is reported as getopt and
     * Postfix do: "prog: invalid option -- 'x'" then "prog: fatal: usage: ...", exit 1.
     */
    static int execute(Object tool, String program, String usage, List<String> args, PrintWriter out,
                       PrintWriter err) {
        CommandLine cl = new CommandLine(tool);
        cl.setOut(out);
        cl.setErr(err);
        cl.setPosixClusteredShortOptionsAllowed(true);
        cl.setUnmatchedOptionsArePositionalParams(false);
        cl.setParameterExceptionHandler((ex, a) -> {
            String msg = ex.getMessage();
            if (ex instanceof CommandLine.UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
                String opt = u.getUnmatched().get(0);
                if (opt.startsWith("-") && opt.length() > 1) msg = "invalid option -- '" + opt.charAt(1) + "'";
            }
            err.println(program + ": " + msg);
            err.println(program + ": fatal: usage: " + usage);
            err.flush();
            return 1;
        });
        cl.setExecutionExceptionHandler((ex, c, p) -> {
            err.println(program + ": fatal: " + (ex.getMessage() == null ? ex.toString() : ex.getMessage()));
            err.flush();
            return 1;
        });
        int rc = cl.execute(args.toArray(String[]::new));
        out.flush();
        err.flush();
        return rc;
    }

    static <T> T await(CompletionStage<T> stage) throws Exception {
        try {
            return stage.toCompletableFuture().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof Exception ex) throw ex;
            throw e;
        } catch (TimeoutException e) {
            throw new IllegalStateException("timeout waiting for the queue manager");
        }
    }

    static String plural(int n) {
        return n + " message" + (n == 1 ? "" : "s");
    }
}
