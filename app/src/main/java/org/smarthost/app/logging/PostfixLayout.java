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
            line.append(SYSLOG_TIME.format(Instant.ofEpochMilli(event.getTimeStamp()).atZone(zone)))
                .append(' ').append(hostname).append(' ')
                .append(program(event.getLoggerName())).append('[').append(pid).append("]: ");
        } else {
            line.append(program(event.getLoggerName())).append(": ");
        }
        String message = event.getFormattedMessage();
        line.append(severityPrefix(event.getLevel(), message)).append(message);
        if (!isProgram(event.getLoggerName())) {
            appendCause(line, event.getThrowableProxy());
        }
        return line.append(CoreConstants.LINE_SEPARATOR).toString();
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
