package org.smarthost.protocol.smtpd;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.slf4j.LoggerFactory;

/** Captures "postfix/smtpd" log lines (formatted message text) for assertions. */
public final class LogCapture implements AutoCloseable {

    private final Logger logger = (Logger) LoggerFactory.getLogger("postfix/smtpd");
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    public LogCapture() {
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).setLevel(Level.INFO);
        appender.start();
        logger.addAppender(appender);
    }

    public List<String> lines() {
        synchronized (appender) {
            return appender.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        }
    }

    /** Waits (bounded) for a line matching; returns it, or fails listing what was logged. */
    public String await(Predicate<String> p) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < end) {
            for (String l : lines()) if (p.test(l)) return l;
            Thread.sleep(10);
        }
        throw new AssertionError("no matching log line in " + lines());
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
    }
}
