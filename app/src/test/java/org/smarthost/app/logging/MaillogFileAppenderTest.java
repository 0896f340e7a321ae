package org.smarthost.app.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.status.Status;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MaillogFileAppenderTest {

    private final LoggerContext ctx = new LoggerContext();

    {
        ctx.setMDCAdapter(new LogbackMDCAdapter());
    }

    @TempDir
    Path dir;

    private MaillogFileAppender appender(Path file) {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(ctx);
        encoder.setPattern("%msg%n");
        encoder.start();
        MaillogFileAppender appender = new MaillogFileAppender();
        appender.setContext(ctx);
        appender.setFile(file.toString());
        appender.setEncoder(encoder);
        appender.start();
        return appender;
    }

    private void log(MaillogFileAppender appender, String message) {
        appender.doAppend(new LoggingEvent("x", ctx.getLogger("postfix/qmgr"), Level.INFO, message, null, null));
    }

    private static List<String> lines(Path file) throws Exception {
        return Files.readAllLines(file);
    }

    @Test
    void aLineAfterAQuietMomentIsWrittenAtOnce() throws Exception {
        Path file = dir.resolve("maillog");
        MaillogFileAppender appender = appender(file);
        log(appender, "first");
        assertEquals(List.of("first"), lines(file));
        Thread.sleep(3 * MaillogFileAppender.FLUSH_DELAY_MS);
        log(appender, "after a pause");
        assertEquals(List.of("first", "after a pause"), lines(file));
        appender.stop();
    }

    @Test
    void gatheredLinesAreWrittenWithoutFurtherLogging() throws Exception {
        Path file = dir.resolve("maillog");
        MaillogFileAppender appender = appender(file);
        for (int i = 0; i < 1000; i++) log(appender, "line " + i);
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (lines(file).size() < 1000 && System.nanoTime() < deadline) Thread.sleep(5);
        List<String> written = lines(file);
        assertEquals(1000, written.size(), "every line reaches the file with nothing more logged");
        assertEquals("line 0", written.get(0));
        assertEquals("line 999", written.get(999));
        appender.stop();
    }

    @Test
    void stopAndFlushWriteEverythingGathered() throws Exception {
        Path file = dir.resolve("maillog");
        MaillogFileAppender appender = appender(file);
        for (int i = 0; i < 300; i++) log(appender, "a" + i);
        appender.flush();
        assertEquals(300, lines(file).size());
        for (int i = 0; i < 300; i++) log(appender, "b" + i);
        appender.stop();
        List<String> written = lines(file);
        assertEquals(600, written.size());
        assertEquals("b299", written.get(599));
        // A flush that was scheduled before the stop finds the stream closed and does nothing.
        Thread.sleep(3 * MaillogFileAppender.FLUSH_DELAY_MS);
        assertTrue(ctx.getStatusManager().getCopyOfStatusList().stream().noneMatch(s -> s.getLevel() >= Status.ERROR),
                "no errors");
    }

    /** The appender writes without logback's deferred-processing step, so it handles a failed write itself, as logback would. */
    @Test
    void aFailedWriteStopsTheAppenderAndIsReported() throws Exception {
        MaillogFileAppender appender = appender(dir.resolve("maillog"));
        appender.setOutputStream(new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException("No space left on device");
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                throw new IOException("No space left on device");
            }
        });
        log(appender, "lost");
        assertFalse(appender.isStarted(), "a failed write stops the appender");
        assertTrue(ctx.getStatusManager().getCopyOfStatusList().stream().anyMatch(s -> s.getLevel() == Status.ERROR
                        && s.getMessage().equals("IO failure in appender")
                        && s.getThrowable() != null && "No space left on device".equals(s.getThrowable().getMessage())),
                "the failure is reported with its cause");
        log(appender, "after the failure"); // a stopped appender ignores further lines
    }
}
