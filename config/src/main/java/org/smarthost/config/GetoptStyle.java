package org.smarthost.config;

import java.io.PrintStream;
import picocli.CommandLine;

/**
 * picocli set up to read options as Postfix's commands do with getopt(3): clustered short
 * options, getopt's wording for a bad option ("invalid option -- 'z'", "option requires an
 * argument -- 'c'") followed by the program's usage line, exit status 1.
 */
public final class GetoptStyle {

    private GetoptStyle() {
    }

    /**
     * @param flags          every option letter the program knows
     * @param withArgument   the letters that take an argument (the rest of a cluster is that argument)
     */
    public static CommandLine commandLine(Object command, String program, String usage, String flags,
                                          String withArgument, PrintStream err) {
        CommandLine cl = new CommandLine(command);
        cl.setPosixClusteredShortOptionsAllowed(true);
        cl.setUnmatchedOptionsArePositionalParams(false);
        cl.setParameterExceptionHandler((ex, args) -> {
            if (ex instanceof CommandLine.MissingParameterException mpe && !mpe.getMissing().isEmpty()
                    && mpe.getMissing().get(0) instanceof CommandLine.Model.OptionSpec opt) {
                err.println(program + ": option requires an argument -- '" + opt.shortestName().substring(1) + "'");
            } else if (ex instanceof CommandLine.UnmatchedArgumentException uae && !uae.getUnmatched().isEmpty()) {
                err.println(program + ": invalid option -- '"
                        + unknownOption(uae.getUnmatched().get(0), flags, withArgument) + "'");
            } else {
                err.println(program + ": " + ex.getMessage());
            }
            err.println(program + ": fatal: " + usage);
            return 1;
        });
        cl.setExecutionExceptionHandler((ex, c, parsed) -> {
            throw ex;
        });
        return cl;
    }

    /** The letter getopt would complain about in a cluster such as "-nz". */
    static String unknownOption(String arg, String flags, String withArgument) {
        for (int i = 1; i < arg.length(); i++) {
            char c = arg.charAt(i);
            if (flags.indexOf(c) < 0) return String.valueOf(c);
            if (withArgument.indexOf(c) >= 0) break;
        }
        return arg.length() > 1 ? arg.substring(1, 2) : arg;
    }
}
