package org.smarthost.protocol.smtpd;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Good and malformed commands and the replies Postfix gives for them, one session per row. */
class SmtpdCommandTest extends SmtpdTestSupport {

    static final String EHLO_REPLY = String.join("\n",
            "250-" + HOST, "250-PIPELINING", "250-SIZE 10240000", "250-VRFY", "250-ETRN",
            "250-ENHANCEDSTATUSCODES", "250-8BITMIME", "250-DSN", "250-SMTPUTF8", "250 CHUNKING");

    static Stream<Arguments> table() {
        return Stream.of(
                Arguments.of("none", "HELO", "501 Syntax: HELO hostname"),
                Arguments.of("none", "EHLO", "501 Syntax: EHLO hostname"),
                Arguments.of("none", "HELO client.example", "250 " + HOST),
                Arguments.of("none", "ehlo client.example", EHLO_REPLY),
                Arguments.of("none", "MAIL FROM:<a@example.com>", "250 2.1.0 Ok"),
                Arguments.of("none", "QUIT", "221 2.0.0 Bye"),
                Arguments.of("ehlo", "MAIL", "501 5.5.4 Syntax: MAIL FROM:<address>"),
                Arguments.of("ehlo", "MAIL TO:<a@example.com>", "501 5.5.4 Syntax: MAIL FROM:<address>"),
                Arguments.of("ehlo", "MAIL FROM:", "501 5.5.4 Syntax: MAIL FROM:<address>"),
                Arguments.of("ehlo", "MAIL FROM:<a b@example.com>", "501 5.1.7 Bad sender address syntax"),
                Arguments.of("ehlo", "MAIL FROM:<a@example.com", "501 5.1.7 Bad sender address syntax"),
                Arguments.of("ehlo", "MAIL FROM:<>", "250 2.1.0 Ok"),
                Arguments.of("ehlo", "MAIL FROM: <a@example.com>", "250 2.1.0 Ok"),
                Arguments.of("ehlo", "mail from:a@example.com", "250 2.1.0 Ok"),
                Arguments.of("ehlo", "MAIL FROM:<@relay.example:a@example.com>", "250 2.1.0 Ok"),
                Arguments.of("ehlo", "MAIL FROM:<a@example.com> SIZE=20000000", "552 5.3.4 Message size exceeds fixed limit"),
                Arguments.of("ehlo", "MAIL FROM:<a@example.com> SIZE=1k", "501 5.5.4 Bad message size syntax"),
                Arguments.of("ehlo", "MAIL FROM:<a@example.com> FOO=bar", "555 5.5.4 Unsupported option: FOO=bar"),
                Arguments.of("ehlo", "MAIL FROM:<a@example.com> BODY=BINARYMIME", "555 5.5.4 Unsupported option: BODY=BINARYMIME"),
                Arguments.of("ehlo", "MAIL FROM:<a@example.com> RET=HDRS ENVID=x+2By BODY=8BITMIME SIZE=100", "250 2.1.0 Ok"),
                Arguments.of("ehlo", "MAIL FROM:<a@example.com> RET=BOGUS", "501 5.5.4 Bad RET parameter syntax"),
                Arguments.of("ehlo", "MAIL FROM:<a@example.com> ENVID=a+zz", "501 5.5.4 Bad ENVID parameter syntax"),
                Arguments.of("ehlo", "MAIL FROM:<jö@example.com>", "553 5.6.7 Must declare SMTPUTF8 to send unicode address"),
                Arguments.of("ehlo", "MAIL FROM:<jö@example.com> SMTPUTF8", "250 2.1.0 Ok"),
                Arguments.of("ehlo", "RCPT TO:<a@example.com>", "503 5.5.1 Error: need MAIL command"),
                Arguments.of("ehlo", "DATA", "503 5.5.1 Error: need RCPT command"),
                Arguments.of("mail", "MAIL FROM:<x@example.com>", "503 5.5.1 Error: nested MAIL command"),
                Arguments.of("mail", "RCPT", "501 5.5.4 Syntax: RCPT TO:<address>"),
                Arguments.of("mail", "RCPT FROM:<a@example.com>", "501 5.5.4 Syntax: RCPT TO:<address>"),
                Arguments.of("mail", "RCPT TO:<>", "501 5.1.3 Bad recipient address syntax"),
                Arguments.of("mail", "RCPT TO:<a@example.com", "501 5.1.3 Bad recipient address syntax"),
                Arguments.of("mail", "RCPT TO:<u@example.com> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;u+40example.com", "250 2.1.5 Ok"),
                Arguments.of("mail", "RCPT TO:<u@example.com> NOTIFY=NEVER,SUCCESS", "501 5.5.4 Error: Bad NOTIFY parameter syntax"),
                Arguments.of("mail", "RCPT TO:<u@example.com> ORCPT=rfc822", "501 5.5.4 Error: Bad ORCPT parameter syntax"),
                Arguments.of("mail", "RCPT TO:<u@example.com> XYZ", "555 5.5.4 Unsupported option: XYZ"),
                Arguments.of("mail", "DATA", "554 5.5.1 Error: no valid recipients"),
                Arguments.of("mail", "ETRN example.com", "503 Error: MAIL transaction in progress"),
                Arguments.of("rcpt", "DATA now", "501 5.5.4 Syntax: DATA"),
                Arguments.of("rcpt", "DATA", "354 End data with <CR><LF>.<CR><LF>"),
                Arguments.of("ehlo", "RSET", "250 2.0.0 Ok"),
                Arguments.of("ehlo", "RSET now", "501 5.5.4 Syntax: RSET"),
                Arguments.of("ehlo", "NOOP", "250 2.0.0 Ok"),
                Arguments.of("ehlo", "VRFY", "501 5.5.4 Syntax: VRFY address [SMTPUTF8]"),
                Arguments.of("ehlo", "VRFY u@example.com", "252 2.0.0 u@example.com"),
                Arguments.of("ehlo", "VRFY <a b>", "501 5.1.3 Bad recipient address syntax"),
                Arguments.of("ehlo", "ETRN", "500 Syntax: ETRN domain"),
                Arguments.of("ehlo", "ETRN bad..domain!", "501 Error: invalid parameter syntax"),
                Arguments.of("ehlo", "ETRN example.com", "459 <example.com>: service unavailable"),
                Arguments.of("ehlo", "HELP", "500 5.5.2 Error: command not recognized"),
                Arguments.of("ehlo", "FOO bar", "500 5.5.2 Error: command not recognized"),
                Arguments.of("ehlo", "", "500 5.5.2 Error: bad syntax"),
                Arguments.of("ehlo", "STARTTLS", "502 5.5.1 Error: command not implemented"),
                Arguments.of("ehlo", "AUTH PLAIN", "503 5.5.1 Error: authentication not enabled"),
                Arguments.of("ehlo", "BDAT 0", "551 5.7.1 Null BDAT request"),
                Arguments.of("ehlo", "BDAT 0 LAST", "503 5.5.1 Error: need RCPT command"),
                Arguments.of("mail", "BDAT 0 LAST", "554 5.5.1 Error: no valid recipients"),
                Arguments.of("ehlo", "BDAT 10 FIRST", "521 5.5.4 Syntax: BDAT count [LAST]"),
                Arguments.of("ehlo", "X".repeat(3000), "500 5.5.2 " + HOST + " Error: command too long"));
    }

    @ParameterizedTest(name = "[{0}] {1}")
    @MethodSource("table")
    void reply(String state, String command, String expected) throws Exception {
        SmtpServer server = start(defaults());
        SmtpTestClient c = switch (state) {
            case "none" -> {
                SmtpTestClient x = connect(server);
                assertEquals("220 " + HOST + " ESMTP Postfix", x.reply());
                yield x;
            }
            case "ehlo" -> ehlo(server);
            case "mail" -> {
                SmtpTestClient x = ehlo(server);
                assertEquals("250 2.1.0 Ok", x.cmd("MAIL FROM:<sender@example.org>"));
                yield x;
            }
            default -> envelope(server);
        };
        assertEquals(expected, c.cmd(command));
        // The session is still usable after every non-fatal reply.
        if (!expected.startsWith("221") && !expected.startsWith("521") && !expected.startsWith("354")) {
            assertEquals("250 2.0.0 Ok", c.cmd("NOOP"));
        }
    }

    @Test
    void dsnAndSmtputf8ParametersReachTheQueue() throws Exception {
        SmtpServer server = start(defaults());
        SmtpTestClient c = ehlo(server);
        assertEquals("250 2.1.0 Ok", c.cmd("MAIL FROM:<jö@example.org> RET=HDRS ENVID=id+2B1+3D SIZE=42 BODY=8BITMIME SMTPUTF8"));
        assertEquals("250 2.1.5 Ok", c.cmd("RCPT TO:<rcpt@example.net> NOTIFY=FAILURE,DELAY ORCPT=rfc822;R+2Bx@example.net"));
        assertEquals("250 2.1.5 Ok", c.cmd("RCPT TO:<b@example.net>"));
        assertEquals("354 End data with <CR><LF>.<CR><LF>", c.cmd("DATA"));
        String r = c.cmd("Subject: x\r\n\r\nbody\r\n.");
        var m = awaitMessage(0);
        assertEquals("250 2.0.0 Ok: queued as " + m.queueId(), r);
        assertEquals(new MailFrom("jö@example.org", 42, "8BITMIME", "HDRS", "id+1=", true), m.sender());
        assertEquals("rcpt@example.net", m.recipients().get(0).address());
        assertEquals(java.util.Set.of("FAILURE", "DELAY"), m.recipients().get(0).dsnNotify());
        assertEquals("rfc822;R+x@example.net", m.recipients().get(0).orcpt());
        assertEquals(java.util.Set.of(), m.recipients().get(1).dsnNotify());
        assertEquals(new SessionInfo("localhost", m.session().clientAddress(), "client.example", "ESMTP", null, "smtp",
                m.session().serverAddress()), m.session());
        assertEquals(server.boundAddress().getPort(), m.session().serverAddress().getPort(), "server_port");
        assertEquals("127.0.0.1", m.session().serverAddress().getAddress().getHostAddress(), "server_address");
        assertEquals("221 2.0.0 Bye", c.cmd("QUIT"));
        logs.await(l -> l.equals(m.queueId() + ": client=localhost[127.0.0.1]"));
        logs.await(l -> l.equals("disconnect from localhost[127.0.0.1] ehlo=1 mail=1 rcpt=2 data=1 quit=1 commands=6"));
    }

    /** smtpd(8) warns of each address whose syntax it rejects, quoting it as the client sent it. */
    @Test
    void illegalAddressSyntaxIsLoggedAsPostfixDoes() throws Exception {
        SmtpServer server = start(defaults());
        SmtpTestClient c = ehlo(server);
        String from = "warning: Illegal address syntax from localhost[127.0.0.1] in ";
        assertEquals("501 5.1.7 Bad sender address syntax", c.cmd("MAIL FROM:<a b@example.com>"));
        logs.await(l -> l.equals(from + "MAIL command: <a b@example.com>"));
        assertEquals("250 2.1.0 Ok", c.cmd("MAIL FROM:<sender@example.org>"));
        assertEquals("501 5.1.3 Bad recipient address syntax", c.cmd("RCPT TO:<bad recipient@example.net>"));
        logs.await(l -> l.equals(from + "RCPT command: <bad recipient@example.net>"));
        assertEquals("501 5.1.3 Bad recipient address syntax", c.cmd("RCPT TO:<>"));
        logs.await(l -> l.equals(from + "RCPT command: <>"));
        assertEquals("501 5.1.3 Bad recipient address syntax", c.cmd("VRFY <a b>"));
        logs.await(l -> l.equals(from + "VRFY command: <a b>"));
        // a bad parameter is not bad address syntax: no such warning
        assertEquals("555 5.5.4 Unsupported option: FOO=1", c.cmd("RCPT TO:<r@example.net> FOO=1"));
        assertEquals("221 2.0.0 Bye", c.cmd("QUIT"));
        logs.await(l -> l.startsWith("disconnect from"));
        assertEquals(4, logs.lines().stream().filter(l -> l.startsWith(from)).count(), String.join("\n", logs.lines()));
    }

    /** smtpd_helo_required = yes, with the replies and counters Postfix 3.7.11 gives in the same session. */
    @Test
    void heloRequiredRefusesMailAndEtrnUntilHelo() throws Exception {
        SmtpServer server = start(withEnvelopeChecks(defaults(), true, false));
        SmtpTestClient c = connect(server);
        assertEquals("220 " + HOST + " ESMTP Postfix", c.reply());
        assertEquals("503 Error: send HELO/EHLO first", c.cmd("ETRN example.com"));
        assertEquals("252 2.0.0 root", c.cmd("VRFY root"));
        assertEquals("503 5.5.1 Error: send HELO/EHLO first", c.cmd("MAIL FROM:<a@example.org>"));
        assertEquals("503 5.5.1 Error: need MAIL command", c.cmd("RCPT TO:<b@example.net>"));
        assertEquals("250 2.0.0 Ok", c.cmd("NOOP"));
        assertEquals("250 " + HOST, c.cmd("HELO x"));
        assertEquals("250 2.1.0 Ok", c.cmd("MAIL FROM:<a@example.org>"));
        assertEquals("221 2.0.0 Bye", c.cmd("QUIT"));
        logs.await(l -> l.equals("disconnect from localhost[127.0.0.1] helo=1 mail=1/2 rcpt=0/1 noop=1 vrfy=1 etrn=0/1 "
                + "quit=1 commands=5/8"));
    }

    /** strict_rfc821_envelopes = yes: the session Postfix 3.7.11 answered and logged this way. */
    @Test
    void strictRfc821EnvelopesWantAngleBrackets() throws Exception {
        SmtpServer server = start(withEnvelopeChecks(defaults(), false, true));
        SmtpTestClient c = ehlo(server);
        assertEquals("501 5.1.7 Bad sender address syntax", c.cmd("MAIL FROM:a@example.org"));
        assertEquals("250 2.1.0 Ok", c.cmd("MAIL FROM:<@hosta:a@example.org>"));
        assertEquals("501 5.1.3 Bad recipient address syntax", c.cmd("RCPT TO:b@example.net"));
        assertEquals("250 2.1.5 Ok", c.cmd("RCPT TO:<@h:b@example.net>"));
        assertEquals("250 2.1.5 Ok", c.cmd("RCPT TO:<b@example.net>"));
        assertEquals("221 2.0.0 Bye", c.cmd("QUIT"));
        String from = "warning: Illegal address syntax from localhost[127.0.0.1] in ";
        logs.await(l -> l.equals(from + "MAIL command: a@example.org"));
        logs.await(l -> l.equals(from + "RCPT command: b@example.net"));
        logs.await(l -> l.equals("disconnect from localhost[127.0.0.1] ehlo=1 mail=1/2 rcpt=2/3 quit=1 commands=5/7"));
    }

    /**
     * smtpd_data_restrictions = reject: the replies and log lines Postfix 3.7.11 gave for the same
     * session (DATA with two recipients, then a first BDAT with one); nothing is queued.
     */
    @Test
    void dataRestrictionsRejectDataAndTheFirstBdat() throws Exception {
        SmtpServer server = start(withDataRestrictions(defaults(), List.of("reject")));
        SmtpTestClient c = ehlo(server);
        String rejected = "554 5.7.1 <DATA>: Data command rejected: Access denied";
        assertEquals(rejected, bounceToTwoThenToOne(c));
        assertEquals(rejected, c.cmd("BDAT 0 LAST"));
        assertEquals("221 2.0.0 Bye", c.cmd("QUIT"));
        awaitNullSenderReject("DATA", rejected, null);
        awaitNullSenderReject("BDAT", rejected, "a@example.net");
        logs.await(l -> l.equals("disconnect from localhost[127.0.0.1] ehlo=1 mail=2 rcpt=3 data=0/1 bdat=0/1 rset=1 quit=1 commands=8/10"));
        assertEquals(0, receiver.committed.size(), "nothing queued");
    }

    /**
     * reject_multi_recipient_bounce in smtpd_data_restrictions: what Postfix 3.7.11 answered and
     * logged for the same session (two recipients from <> rejected at DATA, one passes at BDAT).
     */
    @Test
    void multiRecipientBounceIsRejectedAtData() throws Exception {
        SmtpServer server = start(withDataRestrictions(defaults(), List.of("reject_multi_recipient_bounce")));
        SmtpTestClient c = ehlo(server);
        String rejected = "550 5.5.3 <DATA>: Data command rejected: Multi-recipient bounce";
        assertEquals(rejected, bounceToTwoThenToOne(c));
        String r = c.cmd("BDAT 0 LAST");
        assertEquals("250 2.0.0 Ok: 0 bytes queued as " + awaitMessage(0).queueId(), r);
        awaitNullSenderReject("DATA", rejected, null);
    }

    /** At RCPT time (smtpd_recipient_restrictions) it rejects every recipient after the first. */
    @Test
    void multiRecipientBounceIsRejectedAtTheSecondRcpt() throws Exception {
        SmtpdSettings d = defaults();
        SmtpServer server = start(withRestrictions(d, d.access().smtpdRelayRestrictions(),
                List.of("reject_multi_recipient_bounce")));
        SmtpTestClient c = ehlo(server);
        assertEquals("250 2.1.0 Ok", c.cmd("MAIL FROM:<>"));
        assertEquals("250 2.1.5 Ok", c.cmd("RCPT TO:<a@example.net>"));
        assertEquals("550 5.5.3 <b@example.net>: Recipient address rejected: Multi-recipient bounce",
                c.cmd("RCPT TO:<b@example.net>"));
        assertEquals("250 2.0.0 Ok", c.cmd("RSET"));
        assertEquals("250 2.1.0 Ok", c.cmd("MAIL FROM:<s@example.org>"));
        assertEquals("250 2.1.5 Ok", c.cmd("RCPT TO:<a@example.net>"));
        assertEquals("250 2.1.5 Ok", c.cmd("RCPT TO:<b@example.net>"));
    }

    /**
     * MAIL FROM:&lt;&gt; to two recipients and DATA, then RSET and MAIL FROM:&lt;&gt; to one, the
     * session Postfix was given for smtpd_data_restrictions; returns the reply to DATA.
     */
    private static String bounceToTwoThenToOne(SmtpTestClient c) throws java.io.IOException {
        assertEquals("250 2.1.0 Ok", c.cmd("MAIL FROM:<>"));
        assertEquals("250 2.1.5 Ok", c.cmd("RCPT TO:<a@example.net>"));
        assertEquals("250 2.1.5 Ok", c.cmd("RCPT TO:<b@example.net>"));
        String data = c.cmd("DATA");
        assertEquals("250 2.0.0 Ok", c.cmd("RSET"));
        assertEquals("250 2.1.0 Ok", c.cmd("MAIL FROM:<>"));
        assertEquals("250 2.1.5 Ok", c.cmd("RCPT TO:<a@example.net>"));
        return data;
    }

    /** smtpd's reject line for {@code command} from the test client with MAIL FROM:&lt;&gt;. */
    private void awaitNullSenderReject(String command, String reply, String to) throws InterruptedException {
        String line = ": reject: " + command + " from localhost[127.0.0.1]: " + reply + "; from=<>"
                + (to == null ? "" : " to=<" + to + ">") + " proto=ESMTP helo=<client.example>";
        logs.await(l -> l.endsWith(line) && l.indexOf(':') == l.length() - line.length());
    }

    /** A permit ends the list: mail from mynetworks passes "permit_mynetworks, reject". */
    @Test
    void dataRestrictionsPermitEndsTheList() throws Exception {
        SmtpServer server = start(withDataRestrictions(defaults(), List.of("permit_mynetworks", "reject")));
        SmtpTestClient c = envelope(server);
        assertEquals("354 End data with <CR><LF>.<CR><LF>", c.cmd("DATA"));
        String r = c.cmd("Subject: x\r\n\r\nbody\r\n.");
        assertEquals("250 2.0.0 Ok: queued as " + awaitMessage(0).queueId(), r);
    }

    @Test
    void vrfyCanBeDisabledAndIsThenNotAnnounced() throws Exception {
        SmtpServer server = start(withProtocolChecks(defaults(), true, "normalize", defaults().access().mynetworks(), true));
        SmtpTestClient c = connect(server);
        c.reply();
        String ehlo = c.cmd("EHLO client.example");
        assertTrue(!ehlo.contains("VRFY"), ehlo);
        assertEquals("502 5.5.1 VRFY command is disabled", c.cmd("VRFY root"));
    }

    @Test
    void nonSmtpCommandIsHungUpOn() throws Exception {
        SmtpServer server = start(defaults());
        SmtpTestClient c = ehlo(server);
        assertEquals("221 2.7.0 Error: I can break rules, too. Goodbye.", c.cmd("Subject: hello"));
        assertTrue(c.closedByServer());
        logs.await(l -> l.equals("warning: non-SMTP command from localhost[127.0.0.1]: Subject: hello"));
    }
}
