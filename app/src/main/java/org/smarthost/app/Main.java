package org.smarthost.app;

import java.util.Arrays;
import org.smarthost.app.cli.Commands;

/**
 * The one entry point behind bin/postfix, bin/postconf, bin/postqueue ...: the first argument
 * names the Postfix program to run, the rest are that program's own arguments.
 */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        if (args.length == 0) {
            System.err.println("smarthost: fatal: usage: smarthost program [arguments...]");
            System.err.println("programs: " + String.join(", ", Commands.names()));
            System.exit(1);
        }
        int status = Commands.run(args[0], Arrays.copyOfRange(args, 1, args.length));
        System.exit(status);
    }
}
