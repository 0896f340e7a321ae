package org.smarthost.streams.cleanup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import org.smarthost.config.tables.LookupTables;
import org.smarthost.config.tables.Maps;

/** header_checks, mime_header_checks and body_checks with regexp: and pcre: tables. */
class ContentChecksTest {

    private static final String ID = CleanupStageTest.ID;

    @TempDir
    Path dir;

    private final ListAppender<ILoggingEvent> log = new ListAppender<>();
    private final Logger logger = (Logger) LoggerFactory.getLogger("postfix/cleanup");
    private LookupTables tables;

    @BeforeEach
    void capture() {
        log.start();
        logger.addAppender(log);
        tables = new LookupTables(dir, LoggerFactory.getLogger("postfix/cleanup"));
    }

    @AfterEach
    void release() {
        logger.detachAppender(log);
    }

    private List<String> lines() {
        return log.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    private Maps table(String parameter, String type, String content) throws Exception {
        Path file = Files.createTempFile(dir, parameter, "." + type);
        Files.writeString(file, content);
        return tables.maps(parameter, type + ":" + file.getFileName());
    }

    private CleanupSettings settings(Maps header, Maps mime, Maps body, long bodyLimit) {
        return CleanupStageTest.settings().withChecks(new ContentChecks(header, mime, Maps.empty("nested_header_checks"),
                body, bodyLimit));
    }

    private CleanupSettings headerChecks(Maps header) {
        return settings(header, header, Maps.empty("body_checks"), 51200);
    }

    private static CleanupEnvelope env() {
        return CleanupStageTest.env(List.of("first@example.net", "rcpt@example.net"), false);
    }

    /** The whole message at once, as smtpd's held path does. */
    private static Pair<String, CleanupResult> clean(CleanupSettings s, String message) {
        CleanupProcessor p = new CleanupProcessor(s, env());
        String out = p.push(ByteString.fromString(message, StandardCharsets.UTF_8)).concat(p.finish()).utf8String();
        return Pair.create(out, p.result());
    }

    @Test
    void rejectWithoutTextIsMessageContentRejected() throws Exception {
        CleanupSettings s = headerChecks(table("header_checks", "regexp", "/^Subject: .*spam/ REJECT\n"));
        CleanupRejected r = assertThrows(CleanupRejected.class,
                () -> clean(s, "From: a@b\r\nSubject: buy spam\r\n\r\nbody\r\n"));
        assertEquals(550, r.code());
        assertEquals("5.7.1", r.enhanced());
        assertEquals("message content rejected", r.text());
        assertTrue(lines().contains(ID + ": reject: header Subject: buy spam from localhost[127.0.0.1];"
                + " from=<sender@example.com> to=<rcpt@example.net> proto=ESMTP helo=<helo.example>:"
                + " 5.7.1 message content rejected"), lines().toString());
    }

    @Test
    void rejectTextAndItsOwnStatusCode() throws Exception {
        CleanupSettings s = headerChecks(table("header_checks", "pcre",
                "/^Subject: (.*)/ REJECT no $1 here\n/^X-Later:/ REJECT 4.7.1 try later\n"));
        CleanupRejected r = assertThrows(CleanupRejected.class, () -> clean(s, "Subject: junk\r\n\r\nbody\r\n"));
        assertEquals("550 5.7.1 no junk here", r.getMessage());
        CleanupRejected later = assertThrows(CleanupRejected.class, () -> clean(s, "X-Later: 1\r\n\r\nbody\r\n"));
        assertEquals("451 4.7.1 try later", later.getMessage());
    }

    @Test
    void ignoreReplacePrependWarnInfo() throws Exception {
        CleanupSettings s = headerChecks(table("header_checks", "regexp", String.join("\n",
                "/^X-Secret:/ IGNORE",
                "/^X-Old: (.*)/ REPLACE X-New: $1",
                "/^Subject:/ PREPEND X-Subject-Seen: yes",
                "/^X-Warn:/ WARN look",
                "/^X-Info:/ INFO",
                "/^X-Bad:/ REPLACE no header",
                "")));
        String out = clean(s, "X-Secret: s3cret\r\n\tmore\r\nX-Old: value\r\nSubject: hi\r\nX-Warn: w\r\n"
                + "X-Info: i\r\nX-Bad: b\r\n\r\nbody\r\n").first();
        assertFalse(out.contains("s3cret") || out.contains("more"), out);
        assertTrue(out.contains("\r\nX-New: value\r\nX-Subject-Seen: yes\r\nSubject: hi\r\nX-Warn: w\r\n"), out);
        assertTrue(out.contains("X-Bad: b\r\n"), out);
        String tail = " from localhost[127.0.0.1]; from=<sender@example.com> to=<rcpt@example.net> proto=ESMTP"
                + " helo=<helo.example>";
        List<String> l = lines();
        assertTrue(l.contains(ID + ": replace: header X-Old: value" + tail + ": X-New: value"), l.toString());
        assertTrue(l.contains(ID + ": prepend: header Subject: hi" + tail + ": X-Subject-Seen: yes"), l.toString());
        assertTrue(l.contains(ID + ": warning: header X-Warn: w" + tail + ": look"), l.toString());
        assertTrue(l.contains(ID + ": info: header X-Info: i" + tail), l.toString());
        assertTrue(l.contains("warning: bad REPLACE header text \"no header\" in header_checks map"
                + " -- need \"headername: headervalue\""), l.toString());
    }

    @Test
    void aFoldedHeaderIsOneStringWithNewlines() throws Exception {
        CleanupSettings s = headerChecks(table("header_checks", "pcre", "/^Subject: one\\n\\ttwo$/ REJECT folded\n"));
        CleanupRejected r = assertThrows(CleanupRejected.class,
                () -> clean(s, "Subject: one\r\n\ttwo\r\n\r\nbody\r\n"));
        assertEquals("folded", r.text());
        assertTrue(lines().get(0).startsWith(ID + ": reject: header Subject: one??two from "), lines().toString());
    }

    @Test
    void mimeHeadersGoToMimeHeaderChecks() throws Exception {
        Maps header = table("header_checks", "regexp", "/^Content-Type:/ REJECT via header_checks\n");
        Maps mime = table("mime_header_checks", "regexp", "/^Content-Type: .*name=.*\\.exe/ REJECT no exe\n");
        CleanupSettings s = settings(header, mime, Maps.empty("body_checks"), 51200);
        CleanupRejected r = assertThrows(CleanupRejected.class,
                () -> clean(s, "Content-Type: application/x; name=a.exe\r\n\r\nbody\r\n"));
        assertEquals("no exe", r.text());
        assertEquals("text/plain", clean(s, "Content-Type: text/plain\r\n\r\nbody\r\n").first()
                .replaceAll("(?s).*Content-Type: ([a-z/]+).*", "$1"));
    }

    @Test
    void ourOwnReceivedHeaderIsChecked() throws Exception {
        CleanupSettings s = headerChecks(table("header_checks", "regexp", "/^Received: from helo\\.example .*\\n.*by baseline/ IGNORE\n"));
        Pair<String, CleanupResult> r = clean(s, "Subject: x\r\n\r\nbody\r\n");
        assertTrue(r.first().startsWith("Subject: x\r\n"), r.first());
        assertEquals(1, r.second().hopCount());
    }

    @Test
    void discardAndHoldAreResults() throws Exception {
        CleanupSettings s = headerChecks(table("header_checks", "regexp",
                "/^X-Hold:/ HOLD for review\n/^X-Discard:/ DISCARD dropped\n"));
        CleanupResult held = clean(s, "X-Hold: 1\r\n\r\nbody\r\n").second();
        assertEquals("for review", held.holdReason());
        assertFalse(held.discard());
        CleanupResult dropped = clean(s, "X-Discard: 1\r\nX-Hold: 1\r\n\r\nbody\r\n").second();
        assertTrue(dropped.discard());
        assertNull(dropped.holdReason(), "no checks after DISCARD");
        assertTrue(lines().stream().anyMatch(l -> l.startsWith(ID + ": hold: header X-Hold: 1 from ")
                && l.endsWith(": for review")), lines().toString());
        assertTrue(lines().stream().anyMatch(l -> l.startsWith(ID + ": discard: header X-Discard: 1 from ")
                && l.endsWith(": dropped")), lines().toString());
    }

    @Test
    void unsupportedActionsTempfail() throws Exception {
        CleanupSettings s = headerChecks(table("header_checks", "regexp",
                "/^X-Bcc:/ BCC archive@example.com\n/^X-Filter:/ FILTER smtp:[127.0.0.1]:10025\n"
                        + "/^X-Redirect:/ REDIRECT x@example.com\n/^X-Unknown:/ FROBNICATE\n"));
        for (String h : List.of("X-Bcc: 1", "X-Filter: 1", "X-Redirect: 1")) {
            CleanupRejected r = assertThrows(CleanupRejected.class, () -> clean(s, h + "\r\n\r\nbody\r\n"));
            assertEquals("451 4.3.5 Server configuration error", r.getMessage());
        }
        assertTrue(lines().stream().anyMatch(l -> l.startsWith("warning: " + ID
                + ": header_checks map: action BCC is not supported")), lines().toString());
        // an unknown command is a warning, as in Postfix, and the header passes
        assertTrue(clean(s, "X-Unknown: 1\r\n\r\nbody\r\n").first().contains("X-Unknown: 1\r\n"));
        assertTrue(lines().contains("warning: unknown command in header_checks map: FROBNICATE"), lines().toString());
    }

    @Test
    void aTableThatCannotAnswerTempfails() throws Exception {
        Maps missing = tables.maps("header_checks", "regexp:" + dir.resolve("missing"));
        CleanupRejected r = assertThrows(CleanupRejected.class,
                () -> clean(headerChecks(missing), "Subject: x\r\n\r\nbody\r\n"));
        assertEquals("451 4.3.0 Error: queue file write error", r.getMessage());
        assertTrue(lines().contains("warning: " + ID
                + ": header_checks map lookup problem -- message not accepted, try again later"), lines().toString());
    }

    @Test
    void bodyChecksSeeEveryLineUpToTheLimit() throws Exception {
        Maps body = table("body_checks", "pcre", String.join("\n",
                "/^drop me$/ IGNORE",
                "/^change (.*)$/ REPLACE changed $1",
                "/^mark$/ PREPEND marker",
                "/^$/ WARN empty",
                "/^reject$/ REJECT bad body",
                ""));
        Maps none = Maps.empty("header_checks");
        CleanupSettings s = settings(none, none, body, 51200);
        String msg = "Subject: x\r\n\r\nkeep\r\ndrop me\r\nchange this\r\nmark\r\nlast line without break";
        String out = clean(s, msg).first();
        assertTrue(out.endsWith("Subject: x\r\n\r\nkeep\r\nchanged this\r\nmarker\r\nmark\r\nlast line without break"),
                out);
        assertTrue(lines().stream().anyMatch(l -> l.startsWith(ID + ": warning: body  from ")), lines().toString());
        // streamed in pieces: the same
        for (int chunk : new int[] {1, 3, 17}) {
            assertEquals(out, CleanupStageTest.run(s, env(), msg, chunk).first());
        }
        CleanupRejected r = assertThrows(CleanupRejected.class, () -> clean(s, "S: x\r\n\r\nreject\r\n"));
        assertEquals("550 5.7.1 bad body", r.getMessage());
        // past body_checks_size_limit nothing is looked at
        CleanupSettings small = settings(none, none, body, 100);
        String late = "Subject: x\r\n\r\n" + "x".repeat(200) + "\r\nreject\r\n";
        assertTrue(clean(small, late).first().endsWith("x".repeat(200) + "\r\nreject\r\n"));
    }

    @Test
    void longBodyLinesAreCheckedInPiecesAndKeptWhole() throws Exception {
        Maps body = table("body_checks", "regexp", "/^y+$/ WARN piece\n");
        Maps none = Maps.empty("header_checks");
        CleanupSettings s = settings(none, none, body, 0);
        String line = "y".repeat(5000);
        String out = clean(s, "Subject: x\r\n\r\n" + line + "\r\nend\r\n").first();
        assertTrue(out.endsWith("\r\n\r\n" + line + "\r\nend\r\n"), out.substring(out.length() - 20));
        assertEquals(3, lines().stream().filter(l -> l.contains(": warning: body yyy")).count(), lines().toString());
    }

    private static final String MULTIPART = String.join("\r\n",
            "Subject: parts",
            "MIME-Version: 1.0",
            "Content-Type: multipart/mixed;",
            "\tboundary=\"outer\"",
            "",
            "preamble",
            "--outer",
            "Content-Type: text/plain",
            "X-Part-Secret: p",
            "",
            "Subject: not a header here",
            "--outer",
            "Content-Type: message/rfc822",
            "",
            "Subject: attached",
            "X-Nested-Secret: n",
            "Content-Type: application/octet-stream; name=\"virus.exe\"",
            "",
            "nested body",
            "--outer--",
            "epilogue",
            "");

    @Test
    void mimePartHeadersGoToMimeHeaderChecksAndAttachedHeadersToNestedHeaderChecks() throws Exception {
        Maps header = table("header_checks", "regexp", "/^Subject:/ WARN primary\n");
        Maps mime = table("mime_header_checks", "regexp",
                "/^X-Part-Secret:/ IGNORE\n/^Content-Type: .*name=.*\\.exe/ REJECT no executables\n"
                        + "/^Content-Type: text/ INFO part\n");
        Maps nested = table("nested_header_checks", "regexp",
                "/^X-Nested-Secret:/ IGNORE\n/^Subject: (.*)/ REPLACE Subject: [attached] $1\n");
        Maps body = table("body_checks", "regexp", "/^--outer/ INFO boundary\n/^Subject:/ WARN body\n");
        CleanupSettings s = CleanupStageTest.settings().withChecks(new ContentChecks(header, mime, nested, body, 51200));
        CleanupRejected r = assertThrows(CleanupRejected.class, () -> clean(s, MULTIPART));
        assertEquals("550 5.7.1 no executables", r.getMessage());
        List<String> l = lines();
        assertTrue(l.stream().anyMatch(x -> x.startsWith(ID + ": warning: header Subject: parts from ")), l.toString());
        assertTrue(l.stream().anyMatch(x -> x.startsWith(ID + ": info: header Content-Type: text/plain from ")),
                l.toString());
        assertTrue(l.stream().anyMatch(x -> x.startsWith(ID + ": warning: body Subject: not a header here from ")),
                l.toString());
        assertEquals(2, l.stream().filter(x -> x.startsWith(ID + ": info: body --outer from ")).count(), l.toString());
        assertTrue(l.stream().anyMatch(x -> x.startsWith(ID + ": replace: header Subject: attached from ")),
                l.toString());

        // without the REJECT: what is kept, in pieces as well as whole
        Maps mimeOnly = table("mime_header_checks", "regexp", "/^X-Part-Secret:/ IGNORE\n");
        CleanupSettings keep = CleanupStageTest.settings().withChecks(new ContentChecks(header, mimeOnly, nested, body,
                51200));
        String out = clean(keep, MULTIPART).first();
        assertFalse(out.contains("X-Part-Secret") || out.contains("X-Nested-Secret"), out);
        assertTrue(out.contains("\r\n--outer\r\nContent-Type: message/rfc822\r\n\r\nSubject: [attached] attached\r\n"
                + "Content-Type: application/octet-stream"), out);
        assertTrue(out.contains("\r\nContent-Type: text/plain\r\n\r\nSubject: not a header here\r\n"), out);
        assertTrue(out.endsWith("\r\n\r\nnested body\r\n--outer--\r\nepilogue\r\n"), out);
        for (int chunk : new int[] {1, 5, 64}) {
            assertEquals(out, CleanupStageTest.run(keep, env(), MULTIPART, chunk).first());
        }
    }

    @Test
    void bodyChecksSizeLimitCountsPerBodyPart() throws Exception {
        Maps none = Maps.empty("header_checks");
        Maps body = table("body_checks", "regexp", "/^bad$/ REJECT\n");
        CleanupSettings s = settings(none, none, body, 100);
        String late = String.join("\r\n", "Content-Type: multipart/mixed; boundary=b", "", "--b", "",
                "x".repeat(200), "bad", "--b", "", "bad", "--b--", "");
        // the first "bad" is past the limit in its part; the second starts a new part
        CleanupRejected r = assertThrows(CleanupRejected.class, () -> clean(s, late));
        assertEquals("550 5.7.1 message content rejected", r.getMessage());
        String once = late.replace("--b\r\n\r\nbad\r\n", "");
        assertTrue(clean(s, once).first().contains("\r\nbad\r\n"));
    }
}
