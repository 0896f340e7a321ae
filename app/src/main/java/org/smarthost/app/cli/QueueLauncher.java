package org.smarthost.app.cli;

import java.util.List;
import org.smarthost.app.logging.Maillog;
import org.smarthost.app.queue.QueueRuntime;
import org.smarthost.app.server.MailConfig;
import org.smarthost.app.server.QueueSettingsFactory;
import org.smarthost.config.ConfigException;

/**
 * postqueue(1), mailq(1), postsuper(1), postcat(1) and "smarthost history": the queue tools
 * (app/.../queue) run in the server over the control channel, or on the store directly when the
 * mail system is down. This only finds the configuration they need.
 */
final class QueueLauncher {

    private QueueLauncher() {
    }

    static int main(String program, String[] args) {
        Maillog.configureBootstrap();
        MailConfig conf;
        try {
            conf = MailConfig.load(MailConfig.resolveConfigDirectory(configDirOption(args)));
        } catch (ConfigException e) {
            System.err.println(program + ": fatal: " + e.getMessage());
            return 1;
        }
        Maillog.configureCommand(conf.syslogName(), conf.myhostname(), null, false);
        return QueueRuntime.runTool(program, List.of(args), QueueSettingsFactory.build(conf), System.out, System.err);
    }

    /** The -c value, as getopt finds it ("-c DIR" or "-cDIR"), or null. */
    static String configDirOption(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--")) break;
            if (a.equals("-c") && i + 1 < args.length) return args[i + 1];
            if (a.startsWith("-c") && a.length() > 2) return a.substring(2);
        }
        return null;
    }
}
