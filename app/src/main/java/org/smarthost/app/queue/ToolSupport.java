package org.smarthost.app.queue;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import picocli.CommandLine;

/** What the queue tools share: picocli set up the way Postfix programs parse and fail. */
final class ToolSupport {

    /** Queue changes a tool has in flight at once (see {@link #awaitEach}). */
    static final int IN_FLIGHT = 512;
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

    /**
     * {@code call} for every id, up to {@link #IN_FLIGHT} at a time, and the results in the ids'
     * order. One at a time, each change waited for its own journal write and fsync: requeueing
     * 20,000 deferred messages took 34 s. In flight together they share the group commits.
     */
    static <T> List<T> awaitEach(List<String> ids, Function<String, CompletionStage<T>> call) throws Exception {
        List<T> results = new ArrayList<>(ids.size());
        for (int from = 0; from < ids.size(); from += IN_FLIGHT) {
            List<CompletionStage<T>> window = new ArrayList<>();
            for (String id : ids.subList(from, Math.min(ids.size(), from + IN_FLIGHT))) window.add(call.apply(id));
            for (CompletionStage<T> stage : window) results.add(await(stage));
        }
        return results;
    }

    static String plural(int n) {
        return n + " message" + (n == 1 ? "" : "s");
    }
}
