package org.smarthost.app.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.smarthost.app.server.DeliveryTransports;
import org.smarthost.protocol.dns.TestDnsServer;

/**
 * Direct delivery (empty relayhost) end to end: the server started by bin/postfix looks up MX
 * records in an in-process DNS server on 127.0.0.1, skips a preferred MX host that refuses the
 * connection, delivers to Postfix's smtp-sink on the next one, and bounces mail for a null-MX
 * domain and for a domain that does not exist, with the DSNs going back to the sender's own MX.
 *
 * <p>Every name lives under the reserved .test TLD and every address is in 127.0.0.0/8; the
 * server's resolver override is checked on its command line before any mail is sent, and the
 * delivery to mx2.example.test — a name only the test DNS knows — proves it was used.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MxDeliveryIT {

    private static final Path SMTP_SINK = Path.of("/usr/sbin/smtp-sink");
    private static final Path SWAKS = Path.of("/usr/bin/swaks");
    private static final String REFUSING = "127.0.0.2";
    private static final String SINK = "127.0.0.3";
    private static final String SENDER = "sender@sender.test";

    Path temp;
    TestDnsServer dns;
    MailSystem mail;
    Process sink;
    Path dumps;
    int sinkPort;
    String toExample;
    String toNullMx;
    String toNxDomain;

    @BeforeAll
    void setUp() throws Exception {
        assumeTrue(Files.isExecutable(SMTP_SINK), "smtp-sink is not installed (apt-get install postfix)");
        assumeTrue(Files.isExecutable(SWAKS), "swaks is not installed (apt-get install swaks)");
        temp = MailSystem.newRoot("smarthost-mx");

        sinkPort = freePort(SINK);
        assertRefused(REFUSING, sinkPort);
        startSink();

        dns = new TestDnsServer()
                .mx("example.test", 10, "mx1.example.test")
                .mx("example.test", 20, "mx2.example.test")
                .a("mx1.example.test", REFUSING)
                .a("mx2.example.test", SINK)
                .mx("nullmx.test", 0, ".")
                .mx("sender.test", 10, "mail.sender.test")
                .a("mail.sender.test", SINK);
        // nxdomain.test: not in the zone, so NXDOMAIN

        mail = new MailSystem(temp);
        mail.appendMainCf(
                "relayhost =",
                "smtp_tcp_port = " + sinkPort,
                "inet_protocols = ipv4",
                "queue_run_delay = 1s",
                "minimal_backoff_time = 2s",
                "maximal_backoff_time = 4s");
        String dnsOption = "-D" + DeliveryTransports.DNS_SERVERS_PROPERTY + "=127.0.0.1:" + dns.address().getPort();
        mail.javaOpts(dnsOption);
        MailSystem.Result start = mail.run("postfix", "start");
        assertEquals(0, start.exit(), start.toString());

        // Without the override the server would ask the system's resolvers: stop before any mail.
        long pid = Long.parseLong(Files.readString(mail.pidFile()).trim());
        String cmdline = Files.readString(Path.of("/proc/" + pid + "/cmdline"), StandardCharsets.UTF_8)
                .replace('\0', ' ');
        assertTrue((" " + cmdline + " ").contains(" " + dnsOption + " "),
                "the server must resolve through the test DNS only: " + cmdline);

        toExample = send("user@example.test", "to example.test");
        toNullMx = send("user@nullmx.test", "to nullmx.test");
        toNxDomain = send("user@nxdomain.test", "to nxdomain.test");
    }

    @AfterAll
    void tearDown() throws Exception {
        if (mail != null) mail.close();
        if (sink != null) {
            sink.destroy();
            sink.waitFor();
        }
        if (dns != null) dns.close();
        MailSystem.deleteTree(temp);
    }

    @Test
    void deliveredToTheSecondMxAfterTheFirstRefuses() throws Exception {
        String id = toExample;
        DeliveryIT.await("delivery to mx2", () -> mail.maillogText().contains(id + ": removed"));
        String log = mail.maillogText();
        String relay = "mx2\\.example\\.test\\[127\\.0\\.0\\.3\\]:" + sinkPort;
        Matcher sent = Pattern.compile("postfix/smtp\\[\\d+\\]: " + id + ": to=<user@example\\.test>, relay=" + relay
                + ", delay=[\\d.]+, delays=[\\d.]+/[\\d.]+/[\\d.]+/[\\d.]+, dsn=2\\.0\\.0, status=sent \\(250 .*\\)")
                .matcher(log);
        assertTrue(sent.find(), log);
        // MX preference 10 first: its refusal is logged before the delivery to preference 20
        Matcher refused = Pattern.compile("postfix/smtp\\[\\d+\\]: connect to mx1\\.example\\.test\\[127\\.0\\.0\\.2\\]:"
                + sinkPort + ": Connection refused").matcher(log);
        assertTrue(refused.find(), log);
        assertTrue(refused.start() < sent.start(), log);

        List<String> delivered = messages().stream().filter(m -> m.contains("Subject: to example.test")).toList();
        assertEquals(1, delivered.size(), String.join("\n----\n", messages()));
        String message = delivered.get(0);
        assertTrue(message.contains("X-Mail-Args: <" + SENDER + ">"), message);
        assertTrue(message.contains("X-Rcpt-Args: <user@example.test>"), message);
    }

    @Test
    void nullMxBouncesToTheSender() throws Exception {
        String log = awaitBounce(toNullMx, "user@nullmx.test");
        assertTrue(Pattern.compile("postfix/smtp\\[\\d+\\]: " + toNullMx + ": to=<user@nullmx\\.test>, relay=none, "
                + "delay=[\\d.]+, delays=[\\d.]+/[\\d.]+/[\\d.]+/[\\d.]+, dsn=5\\.1\\.0, status=bounced "
                + "\\(Domain nullmx\\.test does not accept mail \\(nullMX\\)\\)").matcher(log).find(), log);
        String dsn = dsnFor(toNullMx);
        assertTrue(dsn.contains("Final-Recipient: rfc822; user@nullmx.test"), dsn);
        assertTrue(dsn.contains("Action: failed"), dsn);
        assertTrue(dsn.contains("Status: 5.1.0"), dsn);
    }

    @Test
    void nxdomainBouncesToTheSender() throws Exception {
        String log = awaitBounce(toNxDomain, "user@nxdomain.test");
        assertTrue(Pattern.compile("postfix/smtp\\[\\d+\\]: " + toNxDomain + ": to=<user@nxdomain\\.test>, relay=none, "
                + "delay=[\\d.]+, delays=[\\d.]+/[\\d.]+/[\\d.]+/[\\d.]+, dsn=5\\.4\\.4, status=bounced "
                + "\\(Host or domain name not found\\. Name service error for name=nxdomain\\.test type=MX: "
                + "Host not found\\)").matcher(log).find(), log);
        String dsn = dsnFor(toNxDomain);
        assertTrue(dsn.contains("Final-Recipient: rfc822; user@nxdomain.test"), dsn);
        assertTrue(dsn.contains("Action: failed"), dsn);
        assertTrue(dsn.contains("Status: 5.4.4"), dsn);
    }

    // --- helpers ------------------------------------------------------------------------------

    /** Waits for the bounce of {@code id} to be delivered to the sender's MX; returns the maillog. */
    private String awaitBounce(String id, String recipient) throws Exception {
        DeliveryIT.await("bounce of " + recipient, () -> {
            Matcher notice = Pattern.compile("postfix/bounce\\[\\d+\\]: " + id
                    + ": sender non-delivery notification: (\\w+)").matcher(mail.maillogText());
            if (!notice.find()) return false;
            String bounce = notice.group(1);
            return Pattern.compile(bounce + ": to=<" + Pattern.quote(SENDER) + ">, relay=mail\\.sender\\.test"
                    + "\\[127\\.0\\.0\\.3\\]:" + sinkPort + ", .*status=sent").matcher(mail.maillogText()).find()
                    && dsnOrNull(id) != null;
        });
        return mail.maillogText();
    }

    /** The DSN for {@code id} at the sink: from the null sender to the original sender. */
    private String dsnFor(String id) throws IOException {
        String dsn = dsnOrNull(id);
        assertTrue(dsn != null, String.join("\n----\n", messages()));
        assertTrue(dsn.contains("X-Mail-Args: <>"), "null envelope sender: " + dsn);
        assertTrue(dsn.contains("X-Rcpt-Args: <" + SENDER + ">"), dsn);
        assertTrue(dsn.contains("Subject: Undelivered Mail Returned to Sender"), dsn);
        assertTrue(dsn.contains("Content-Type: multipart/report; report-type=delivery-status;"), dsn);
        assertTrue(dsn.contains("Subject: to " + (id.equals(toNullMx) ? "nullmx.test" : "nxdomain.test")),
                "the original is returned: " + dsn);
        return dsn;
    }

    private String dsnOrNull(String id) {
        try {
            return messages().stream().filter(m -> m.contains("X-Mail-Args: <>") && m.contains(id))
                    .findFirst().orElse(null);
        } catch (IOException e) {
            return null;
        }
    }

    /** Submits one message from 127.0.0.1 (in mynetworks) with swaks; returns its queue ID. */
    private String send(String to, String subject) throws Exception {
        MailSystem.Result r = MailSystem.exec(List.of(SWAKS.toString(), "--server", "127.0.0.1", "--port",
                String.valueOf(mail.port), "--helo", "client.test", "--from", SENDER, "--to", to,
                "--header", "Subject: " + subject, "--body", "hello " + to, "--timeout", "20"), null);
        assertEquals(0, r.exit(), r.toString());
        Matcher m = Pattern.compile("<-+ +250 2\\.0\\.0 Ok: queued as (\\w+)").matcher(r.out());
        assertTrue(m.find(), r.toString());
        return m.group(1);
    }

    /** smtp-sink on 127.0.0.3 only, so that the same port on 127.0.0.2 stays closed. */
    private void startSink() throws Exception {
        dumps = Files.createDirectories(temp.resolve("sink"));
        Files.setPosixFilePermissions(dumps, PosixFilePermissions.fromString("rwxrwxrwx"));
        List<String> cmd = new ArrayList<>(List.of(SMTP_SINK.toString()));
        if ("root".equals(System.getProperty("user.name"))) cmd.addAll(List.of("-u", "nobody"));
        cmd.addAll(List.of("-d", dumps + "/%M.", SINK + ":" + sinkPort, "100"));
        sink = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        DeliveryIT.await("smtp-sink listens on " + SINK + ":" + sinkPort, () -> {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(SINK, sinkPort), 200);
                return true;
            } catch (IOException e) {
                return false;
            }
        });
        assertRefused(REFUSING, sinkPort);
    }

    private List<String> messages() throws IOException {
        List<String> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dumps)) {
            for (Path p : files.sorted().toList()) out.add(Files.readString(p));
        }
        return out;
    }


    private static int freePort(String address) throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getByName(address), 0));
            return s.getLocalPort();
        }
    }

    private static void assertRefused(String address, int port) {
        assertThrows(ConnectException.class, () -> {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(address, port), 1000);
            }
        }, "nothing may listen on " + address + ":" + port);
    }
}
