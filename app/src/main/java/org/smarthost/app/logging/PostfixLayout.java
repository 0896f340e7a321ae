package org.smarthost.app.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.LayoutBase;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Formats a log event the way Postfix does, so pflogsumm, mailgraph and fail2ban read our logs:
 * {@code Nov 25 17:02:03 myhostname postfix/smtpd[4711]: connect from localhost[127.0.0.1]}.
 *
 * <p>The logger name is the program ("postfix/smtpd"); its leading "postfix" is replaced by
 * syslog_name. Postfix puts the severity in the text ("warning: ..."), so WARN and ERROR events
 * get that prefix unless the message already carries it. With {@code daemon=false} the layout
 * is the one Postfix's commands use on stderr: {@code postfix/postfix-script: message}.
 */
public final class PostfixLayout extends LayoutBase<ILoggingEvent> {

    // syslog's own timestamp: day of month padded with a space ("Nov  5 09:01:02")
    private static final DateTimeFormatter SYSLOG_TIME =
            DateTimeFormatter.ofPattern("MMM ppd HH:mm:ss", Locale.US);

    private final String syslogName;
    private final String hostname;
    private final long pid;
    private final boolean daemon;
    private final ZoneId zone = ZoneId.systemDefault();
    // A busy server writes thousands of lines a second and the stamp changes once a second:
    // formatting it per line was the largest allocation of the mail log.
    private volatile Stamp lastStamp = new Stamp(Long.MIN_VALUE, "");
    // Program names are a handful; building "syslog_name/smtpd" per line allocated for nothing.
    private final Map<String, String> programs = new ConcurrentHashMap<>();

    /** The syslog timestamp of one second. */
    private record Stamp(long epochSecond, String text) { }

    public PostfixLayout(String syslogName, String hostname, boolean daemon) {
        this.syslogName = syslogName;
        this.hostname = hostname;
        this.pid = ProcessHandle.current().pid();
        this.daemon = daemon;
    }

    @Override
    public String doLayout(ILoggingEvent event) {
        StringBuilder line = new StringBuilder(160);
        if (daemon) {
            line.append(stamp(event.getTimeStamp()))
                .append(' ').append(hostname).append(' ')
                .append(cachedProgram(event.getLoggerName())).append('[').append(pid).append("]: ");
        } else {
            line.append(cachedProgram(event.getLoggerName())).append(": ");
        }
        String message = event.getFormattedMessage();
        line.append(severityPrefix(event.getLevel(), message)).append(message);
        if (!isProgram(event.getLoggerName())) {
            appendCause(line, event.getThrowableProxy());
        }
        return line.append(CoreConstants.LINE_SEPARATOR).toString();
    }

    private String stamp(long epochMilli) {
        long second = Math.floorDiv(epochMilli, 1000L);
        Stamp last = lastStamp;
        if (last.epochSecond() != second) {
            // lines from several threads may arrive slightly out of order: each gets its own second
            last = new Stamp(second, SYSLOG_TIME.format(Instant.ofEpochSecond(second).atZone(zone)));
            lastStamp = last;
        }
        return last.text();
    }

    private String cachedProgram(String loggerName) {
        String program = programs.get(loggerName);
        if (program == null) {
            program = program(loggerName);
            // loggers are named in code, not from input, so the map stays small; bounded anyway
            if (programs.size() < 256) programs.put(loggerName, program);
        }
        return program;
    }

    /** "postfix/smtpd" becomes syslog_name + "/smtpd"; internal loggers speak as the master. */
    String program(String loggerName) {
        if (loggerName.equals("postfix")) return syslogName;
        if (loggerName.startsWith("postfix/")) return syslogName + loggerName.substring("postfix".length());
        if (isProgram(loggerName)) return loggerName;   // a command's own name: "postqueue"
        return syslogName + "/master";
    }

    /** Program loggers are named like Postfix programs, never like Java packages. */
    static boolean isProgram(String loggerName) {
        return loggerName.startsWith("postfix") || loggerName.indexOf('.') < 0;
    }

    static String severityPrefix(Level level, String message) {
        if (level.isGreaterOrEqual(Level.ERROR)) {
            return message.startsWith("fatal: ") || message.startsWith("panic: ")
                    || message.startsWith("error: ") ? "" : "error: ";
        }
        if (level.isGreaterOrEqual(Level.WARN)) {
            return message.startsWith("warning: ") ? "" : "warning: ";
        }
        return "";
    }

    // Postfix never logs stack traces; for internal failures one line naming the cause is enough.
    private static void appendCause(StringBuilder line, IThrowableProxy cause) {
        if (cause != null) {
            line.append(": ").append(cause.getClassName());
            if (cause.getMessage() != null) line.append(": ").append(cause.getMessage());
        }
    }
}
