package org.smarthost.app.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.FileAppender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.FilterReply;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.LoggerFactory;

/**
 * Wires Logback from main.cf at run time, so users configure logging the Postfix way
 * (maillog_file, syslog_name, myhostname) and never see a logback.xml.
 *
 * <p>Program loggers ("postfix/smtpd", "postqueue") go to the mail log. Everything else
 * (Pekko, Netty, RocksDB: loggers named like Java packages) goes to an internal log in
 * data_directory, and reaches the mail log only at warning level or worse.
 */
public final class Maillog {

    private static volatile FileAppender<ILoggingEvent> maillogFile;

    private Maillog() {
    }

    /**
     * Logging of the server process.
     *
     * @param maillog     maillog_file, or null to log to stdout; "/dev/stdout" and
     *                    "/dev/stderr" mean the console as in Postfix
     * @param internalLog where Pekko's and other libraries' own messages go, or null for nowhere
     */
    public static void configureDaemon(String syslogName, String hostname, String maillog,
                                       Path internalLog, boolean verbose) {
        LoggerContext ctx = reset();
        PostfixLayout layout = new PostfixLayout(syslogName, hostname, true);
        Appender<ILoggingEvent> mail = maillogAppender(ctx, layout, maillog, true);
        mail.addFilter(new MaillogFilter());
        mail.start();
        Logger root = ctx.getLogger(Logger.ROOT_LOGGER_NAME);
        root.addAppender(mail);
        if (internalLog != null) {
            root.addAppender(internalAppender(ctx, internalLog));
        }
        setLevels(ctx, verbose);
        // Netty is chatty at INFO about things an administrator cannot act on.
        ctx.getLogger("io.netty").setLevel(Level.WARN);
    }

    /**
     * Program loggers are named "postfix/smtpd", which Logback's dot hierarchy cannot address
     * as a group; so the root level governs them, and -v raises only them to debug.
     */
    private static void setLevels(LoggerContext ctx, boolean verbose) {
        ctx.getLogger(Logger.ROOT_LOGGER_NAME).setLevel(verbose ? Level.DEBUG : Level.INFO);
        if (verbose) {
            for (String library : new String[] {"org", "io", "com", "scala", "ch"}) {
                ctx.getLogger(library).setLevel(Level.INFO);
            }
        }
    }

    /**
     * Logging of a command (postfix, postqueue ...): Postfix's "program: message" on stderr,
     * and when maillog_file is set and its directory exists, the daemon format there too,
     * as Postfix's postlog does for postfix-script.
     */
    public static void configureCommand(String syslogName, String hostname, String maillog, boolean verbose) {
        configureCommand(syslogName, hostname, maillog, verbose, true);
    }

    /**
     * As above; with {@code stderr} false the messages go to stderr only when there is no
     * maillog_file to write them to. postfix(1) is such a command: like Postfix's postlog, it
     * writes to stderr only when stderr is a terminal, so "postfix status" run from cron prints
     * nothing while its exit status says what it found.
     */
    public static void configureCommand(String syslogName, String hostname, String maillog, boolean verbose,
                                        boolean stderr) {
        LoggerContext ctx = reset();
        Logger root = ctx.getLogger(Logger.ROOT_LOGGER_NAME);
        boolean toFile = false;
        if (maillog != null && !maillog.isEmpty() && !maillog.startsWith("/dev/")) {
            Path file = Path.of(maillog);
            if (file.getParent() != null && Files.isDirectory(file.getParent())) {
                Appender<ILoggingEvent> mail =
                        maillogAppender(ctx, new PostfixLayout(syslogName, hostname, true), maillog, false);
                mail.addFilter(new MaillogFilter());
                mail.start();
                root.addAppender(mail);
                toFile = true;
            }
        }
        if (stderr || !toFile) {
            ConsoleAppender<ILoggingEvent> err = new ConsoleAppender<>();
            err.setContext(ctx);
            err.setName("stderr");
            err.setTarget("System.err");
            err.setEncoder(encoder(ctx, new PostfixLayout(syslogName, hostname, false)));
            err.addFilter(new MaillogFilter());
            err.start();
            root.addAppender(err);
        }
        setLevels(ctx, verbose);
    }

    /** Before main.cf is read: commands' messages to stderr, nothing else. */
    public static void configureBootstrap() {
        configureCommand("postfix", "localhost", null, false);
    }

    /**
     * Reopens maillog_file after "postfix logrotate" renamed it; a no-op when logging to the
     * console.
     */
    public static synchronized void reopen() {
        FileAppender<ILoggingEvent> file = maillogFile;
        if (file != null) {
            file.stop();
            file.start();
        }
    }

    /**
     * Writes the lines the daemon's mail log is still gathering; called when the server stops
     * and before the process exits.
     */
    public static void flush() {
        if (maillogFile instanceof MaillogFileAppender gathering) gathering.flush();
    }

    private static LoggerContext reset() {
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        ctx.reset();
        maillogFile = null;
        return ctx;
    }

    /**
     * @param daemon the server's log, whose lines are gathered into fewer writes; a command's
     *               few lines are written at once
     */
    private static Appender<ILoggingEvent> maillogAppender(LoggerContext ctx, PostfixLayout layout, String maillog,
                                                           boolean daemon) {
        OutputStreamAppender<ILoggingEvent> appender;
        if (maillog == null || maillog.isEmpty() || maillog.equals("/dev/stdout") || maillog.equals("/dev/stderr")) {
            ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
            console.setTarget("/dev/stderr".equals(maillog) ? "System.err" : "System.out");
            console.setImmediateFlush(true);
            appender = console;
        } else {
            FileAppender<ILoggingEvent> file = daemon ? new MaillogFileAppender() : new FileAppender<>();
            file.setFile(maillog);
            file.setAppend(true);
            maillogFile = file;
            appender = file;
        }
        appender.setContext(ctx);
        appender.setName("maillog");
        appender.setEncoder(encoder(ctx, layout));
        return appender;
    }

    private static Appender<ILoggingEvent> internalAppender(LoggerContext ctx, Path file) {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(ctx);
        encoder.setPattern("%d{ISO8601} %-5level [%thread] %logger - %msg%n%ex");
        encoder.start();
        FileAppender<ILoggingEvent> appender = new FileAppender<>();
        appender.setContext(ctx);
        appender.setName("internal");
        appender.setFile(file.toString());
        appender.setAppend(true);
        appender.setEncoder(encoder);
        appender.addFilter(new Filter<>() {
            @Override
            public FilterReply decide(ILoggingEvent event) {
                return PostfixLayout.isProgram(event.getLoggerName()) ? FilterReply.DENY : FilterReply.NEUTRAL;
            }
        });
        appender.start();
        return appender;
    }

    private static LayoutWrappingEncoder<ILoggingEvent> encoder(LoggerContext ctx, PostfixLayout layout) {
        layout.setContext(ctx);
        layout.start();
        LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
        encoder.setContext(ctx);
        encoder.setLayout(layout);
        encoder.start();
        return encoder;
    }

    /** Program messages always; library messages only when they are warnings or worse. */
    static final class MaillogFilter extends Filter<ILoggingEvent> {
        @Override
        public FilterReply decide(ILoggingEvent event) {
            if (PostfixLayout.isProgram(event.getLoggerName()) || event.getLevel().isGreaterOrEqual(Level.WARN)) {
                return FilterReply.NEUTRAL;
            }
            return FilterReply.DENY;
        }
    }
}
