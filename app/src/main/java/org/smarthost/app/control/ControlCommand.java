package org.smarthost.app.control;

import java.io.PrintWriter;
import java.util.List;

/**
 * A command that a CLI tool (postqueue, postsuper, postcat, postfix reload ...) asks the running
 * server to execute over the control channel. It runs inside the server process; what it
 * prints to {@code out}/{@code err} is streamed back to the tool's stdout/stderr and its return
 * value becomes the tool's exit status. When the server is not running, queue tools run the
 * same command in their own process against the store opened directly.
 */
@FunctionalInterface
public interface ControlCommand {
    int run(List<String> args, PrintWriter out, PrintWriter err) throws Exception;
}
