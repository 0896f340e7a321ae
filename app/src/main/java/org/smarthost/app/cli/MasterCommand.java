package org.smarthost.app.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.smarthost.app.logging.Maillog;
import org.smarthost.app.server.MailConfig;
import org.smarthost.app.server.SmarthostServer;
import org.smarthost.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The server process itself, what Postfix calls master(8). Started by "postfix start" in the
 * background; not meant to be run by hand (use "postfix start-fg" for a foreground server).
 */
@Command(name = "master", description = "smarthost server process (started by postfix start)")
public final class MasterCommand implements Callable<Integer> {

    @Option(names = "-c", paramLabel = "config_dir")
    String configDir;

    @Option(names = "-v")
    boolean[] verbose = new boolean[0];

    public static int main(String[] args) {
        CommandLine cli = new CommandLine(new MasterCommand());
        cli.setParameterExceptionHandler((e, a) -> {
            System.err.println("master: fatal: usage: master [-c config_dir] [-v]");
            return 1;
        });
        return cli.execute(args);
    }

    @Override
    public Integer call() {
        Maillog.configureBootstrap();
        Path dir = MailConfig.resolveConfigDirectory(configDir);
        MailConfig conf;
        try {
            conf = MailConfig.load(dir);
        } catch (ConfigException e) {
            System.err.println("postfix/master: fatal: " + e.getMessage());
            return 1;
        }
        return SmarthostServer.runForeground(conf, verbose.length > 0);
    }
}
