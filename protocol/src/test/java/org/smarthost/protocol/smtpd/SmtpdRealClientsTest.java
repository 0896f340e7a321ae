package org.smarthost.protocol.smtpd;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The server driven by real clients: Python's smtplib and swaks (Debian package "swaks"). */
class SmtpdRealClientsTest extends SmtpdTestSupport {

    private static boolean available(String path) {
        return Files.isExecutable(Path.of(path));
    }

    @Test
    void pythonSmtplib() throws Exception {
        assumeTrue(available("/usr/bin/python3"), "/usr/bin/python3 not installed");
        Path script = tmp.resolve("send.py");
        Files.writeString(script, String.join("\n",
                "import smtplib, sys",
                "msg = (b'From: Alice <alice@example.org>\\r\\n'",
                "       b'To: bob@example.net\\r\\n'",
                "       b'Subject: smtplib test\\r\\n'",
                "       b'\\r\\n'",
                "       b'.a line that starts with a dot\\r\\n'",
                "       b'.\\r\\n'",
                "       b'..\\r\\n'",
                "       b'caf\\xc3\\xa9 8bit\\r\\n')",
                "with smtplib.SMTP(sys.argv[1], int(sys.argv[2]), local_hostname='py.example') as s:",
                "    code, _ = s.ehlo()",
                "    assert code == 250",
                "    assert s.has_extn('pipelining') and s.has_extn('8bitmime') and s.has_extn('smtputf8')",
                "    refused = s.sendmail('alice@example.org', ['bob@example.net', 'carol@example.net'], msg,",
                "                         mail_options=['BODY=8BITMIME'], rcpt_options=['NOTIFY=FAILURE'])",
                "    assert refused == {}, refused",
                "    try:",
                "        s.sendmail('alice@example.org', ['x@elsewhere.example'], b'x')",
                "    except smtplib.SMTPRecipientsRefused as e:",
                "        print('refused', e.recipients['x@elsewhere.example'][0])",
                "print('sent')",
                ""));
        // Outside mynetworks so that the relay check is exercised too.
        SmtpServer outsider = start(withNetworks(defaults(), List.of("192.0.2.0/24"), List.of(HOST, "example.net"), List.of()));
        Run r = run(List.of("/usr/bin/python3", script.toString(), "127.0.0.1",
                String.valueOf(outsider.boundAddress().getPort())));
        assertEquals(0, r.exit(), r.output());
        assertTrue(r.output().contains("refused 454"), r.output());
        assertTrue(r.output().contains("sent"), r.output());
        var m = awaitMessage(0);
        assertEquals("From: Alice <alice@example.org>\r\nTo: bob@example.net\r\nSubject: smtplib test\r\n\r\n"
                + ".a line that starts with a dot\r\n.\r\n..\r\ncafé 8bit\r\n", m.text());
        assertEquals(List.of("bob@example.net", "carol@example.net"), m.recipients().stream().map(RcptTo::address).toList());
        assertEquals(java.util.Set.of("FAILURE"), m.recipients().get(0).dsnNotify());
        assertEquals("8BITMIME", m.sender().body());
        assertEquals("py.example", m.session().heloName());
        logs.await(l -> l.equals("disconnect from localhost[127.0.0.1] ehlo=1 mail=2 rcpt=2/3 data=1 rset=1 quit=1 commands=8/9"));
    }

    @Test
    void swaksWithPipelining() throws Exception {
        assumeTrue(available("/usr/bin/swaks"), "swaks not installed (apt-get install swaks)");
        SmtpServer server = start(defaults());
        Path data = tmp.resolve("message.eml");
        String message = "From: a@example.org\r\nTo: b@example.net\r\nSubject: swaks\r\nMessage-Id: <1@example.org>\r\n\r\n"
                + "first line\r\n.dot line\r\n\r\nlast line\r\n";
        // swaks terminates the data with "\r\n.\r\n" itself, so the file has no final newline.
        Files.writeString(data, message.substring(0, message.length() - 2));
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/swaks", "--server", "127.0.0.1",
                "--port", String.valueOf(server.boundAddress().getPort()), "--ehlo", "swaks.example",
                "--from", "a@example.org", "--to", "b@example.net,c@example.net", "--pipeline",
                "--data", data.toString()));
        Run r = run(cmd);
        assertEquals(0, r.exit(), r.output());
        assertTrue(r.output().contains("<-  250 2.0.0 Ok: queued as 4Test"), r.output());
        var m = awaitMessage(0);
        assertEquals(message, m.text());
        assertEquals(List.of("b@example.net", "c@example.net"), m.recipients().stream().map(RcptTo::address).toList());
        logs.await(l -> l.equals("disconnect from localhost[127.0.0.1] ehlo=1 mail=1 rcpt=2 data=1 quit=1 commands=6"));
    }

    @Test
    void swaksQuitAfterRcptAbortsTheOpenTransaction() throws Exception {
        assumeTrue(available("/usr/bin/swaks"), "swaks not installed (apt-get install swaks)");
        SmtpServer server = start(defaults());
        // The transaction opened at the first RCPT must be aborted when the client quits without DATA.
        Run r = run(List.of("/usr/bin/swaks", "--server", "127.0.0.1", "--port",
                String.valueOf(server.boundAddress().getPort()), "--from", "a@example.org",
                "--to", "b@example.net", "--quit-after", "RCPT"));
        assertEquals(0, r.exit(), r.output());
        assertTrue(r.output().contains("<-  250 2.1.5 Ok"), r.output());
        logs.await(l -> l.startsWith("disconnect from localhost[127.0.0.1] ehlo=1 mail=1 rcpt=1 quit=1 commands=4"));
        assertEquals(receiver.opened, receiver.aborted);
    }
}
