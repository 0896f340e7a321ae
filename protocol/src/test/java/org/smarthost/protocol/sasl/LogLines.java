package org.smarthost.protocol.sasl;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/** Captures "postfix/smtpd" log lines (formatted message text) for assertions. */
final class LogLines implements AutoCloseable {

    private final Logger logger = (Logger) LoggerFactory.getLogger("postfix/smtpd");
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    LogLines() {
        appender.start();
        logger.addAppender(appender);
    }

    List<String> lines() {
        synchronized (appender) {
            return appender.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        }
    }

    @Override public void close() {
        logger.detachAppender(appender);
    }
}
