package org.smarthost.app.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import java.time.LocalDateTime;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

class PostfixLayoutTest {

    private final LoggerContext ctx = new LoggerContext();

    private String format(PostfixLayout layout, String logger, Level level, String message, long when) {
        LoggingEvent event = new LoggingEvent("x", ctx.getLogger(logger), level, message, null, null);
        event.setTimeStamp(when);
        return layout.doLayout(event);
    }

    private static long at(int month, int day, int h, int m, int s) {
        return LocalDateTime.of(2026, month, day, h, m, s).atZone(ZoneId.systemDefault()).toInstant().toEpochMilli();
    }

    @Test
    void daemonLinesLookLikePostfixSyslogLines() {
        PostfixLayout layout = new PostfixLayout("postfix", "mx.example.com", true);
        long pid = ProcessHandle.current().pid();
        assertEquals("Nov 25 17:02:03 mx.example.com postfix/smtpd[" + pid + "]: connect from localhost[127.0.0.1]"
                        + System.lineSeparator(),
                format(layout, "postfix/smtpd", Level.INFO, "connect from localhost[127.0.0.1]", at(11, 25, 17, 2, 3)));
        // syslog pads a one-digit day with a space
        assertTrue(format(layout, "postfix/qmgr", Level.INFO, "x", at(3, 5, 9, 1, 2)).startsWith("Mar  5 09:01:02 "));
    }

    @Test
    void eachLineCarriesItsOwnSecondEvenOutOfOrder() {
        PostfixLayout layout = new PostfixLayout("postfix", "h", true);
        long second = at(11, 26, 8, 59, 59);
        assertTrue(format(layout, "postfix/smtpd", Level.INFO, "a", second).startsWith("Nov 26 08:59:59 "));
        assertTrue(format(layout, "postfix/smtpd", Level.INFO, "b", second + 999).startsWith("Nov 26 08:59:59 "));
        assertTrue(format(layout, "postfix/qmgr", Level.INFO, "c", second + 1000).startsWith("Nov 26 09:00:00 "));
        // a line from another thread that was stamped a moment earlier but formatted later
        assertTrue(format(layout, "postfix/smtp", Level.INFO, "d", second + 998).startsWith("Nov 26 08:59:59 "));
        assertTrue(format(layout, "postfix/smtp", Level.INFO, "e", at(12, 31, 23, 0, 0)).startsWith("Dec 31 23:00:00 "));
    }

    @Test
    void syslogNameReplacesThePostfixPrefix() {
        PostfixLayout layout = new PostfixLayout("postfix-out", "h", false);
        assertEquals("postfix-out/smtp: hello" + System.lineSeparator(),
                format(layout, "postfix/smtp", Level.INFO, "hello", 0));
        assertEquals("postqueue: hello" + System.lineSeparator(), format(layout, "postqueue", Level.INFO, "hello", 0));
    }

    @Test
    void severityBecomesPostfixsTextPrefixOnce() {
        PostfixLayout layout = new PostfixLayout("postfix", "h", false);
        String nl = System.lineSeparator();
        assertEquals("postfix/smtpd: warning: hostname x does not resolve" + nl,
                format(layout, "postfix/smtpd", Level.WARN, "hostname x does not resolve", 0));
        assertEquals("postfix/smtpd: warning: already prefixed" + nl,
                format(layout, "postfix/smtpd", Level.WARN, "warning: already prefixed", 0));
        assertEquals("postfix/postfix-script: fatal: the Postfix mail system is already running" + nl,
                format(layout, "postfix/postfix-script", Level.ERROR, "fatal: the Postfix mail system is already running", 0));
        assertEquals("postfix/master: error: something" + nl, format(layout, "postfix/master", Level.ERROR, "something", 0));
    }

    @Test
    void libraryLoggersSpeakAsTheMaster() {
        PostfixLayout layout = new PostfixLayout("postfix", "h", false);
        assertEquals("postfix/master: warning: journal slow" + System.lineSeparator(),
                format(layout, "org.apache.pekko.persistence.Foo", Level.WARN, "journal slow", 0));
    }
}
