package org.smarthost.config.postconf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Our postconf on its own (these run even where Postfix is not installed). */
class PostconfCommandTest {
    @TempDir
    Path dir;

    private String out;
    private String err;

    @BeforeEach
    void write() throws Exception {
        Files.writeString(dir.resolve("main.cf"), """
                # sample
                myhostname = mx.example.com
                relayhost = [10.0.0.1]
                smtpd_banner = $myhostname ESMTP
                not_a_parameter = 1
                """);
        Files.writeString(dir.resolve("master.cf"), """
                smtp      inet  n       -       n       -       -       smtpd
                relay     unix  -       -       n       -       -       smtp
                  -o syslog_name=postfix/$service_name
                """);
    }

    private int run(Map<String, String> env, String... args) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        int status = Postconf.run(new PrintStream(o, true, StandardCharsets.UTF_8),
                new PrintStream(e, true, StandardCharsets.UTF_8), env, args);
        out = o.toString(StandardCharsets.UTF_8);
        err = e.toString(StandardCharsets.UTF_8);
        return status;
    }

    @Test
    void nonDefaultSettingsWithUnusedWarning() {
        assertEquals(0, run(Map.of(), "-c", dir.toString(), "-n"));
        assertEquals("config_directory = " + dir + "\nmyhostname = mx.example.com\nrelayhost = [10.0.0.1]\n"
                + "smtpd_banner = $myhostname ESMTP\n", out);
        assertEquals("postconf: warning: " + dir + "/main.cf: unused parameter: not_a_parameter=1\n", err);
    }

    @Test
    void mailConfigEnvironmentAndExpansion() {
        assertEquals(0, run(Map.of("MAIL_CONFIG", dir.toString()), "-x", "smtpd_banner", "mydomain", "nosuch"));
        assertEquals("smtpd_banner = mx.example.com ESMTP\nmydomain = example.com\n", out);
        assertTrue(err.contains("postconf: warning: nosuch: unknown parameter\n"), err);
    }

    @Test
    void defaultsAndValuesOnly() {
        run(Map.of(), "-c", dir.toString(), "-d", "mail_name", "relay_destination_concurrency_limit");
        assertEquals("mail_name = Postfix\nrelay_destination_concurrency_limit = $default_destination_concurrency_limit\n", out);
        run(Map.of(), "-c", dir.toString(), "-h", "relayhost");
        assertEquals("[10.0.0.1]\n", out);
    }

    @Test
    void mapTypesAreTheOnesThatOpen() {
        assertEquals(0, run(Map.of(), "-m"));
        assertEquals("btree\ncdb\ncidr\nfail\nhash\ninline\nlmdb\npcre\nproxy\nregexp\nstatic\ntexthash\n", out);
    }

    @Test
    void masterViews() {
        run(Map.of(), "-c", dir.toString(), "-M", "relay/unix");
        assertEquals("relay      unix  -       -       n       -       -       smtp -o syslog_name=postfix/$service_name\n", out);
        run(Map.of(), "-c", dir.toString(), "-Px");
        assertEquals("relay/unix/syslog_name = postfix/relay\n", out);
        run(Map.of(), "-c", dir.toString(), "-F", "smtp/inet/command");
        assertEquals("smtp/inet/command = smtpd\n", out);
    }

    @Test
    void editsKeepComments() throws Exception {
        assertEquals(0, run(Map.of(), "-c", dir.toString(), "-e", "relayhost = [10.0.0.2]:587", "mail_name=Relay"));
        String text = Files.readString(dir.resolve("main.cf"));
        assertTrue(text.startsWith("# sample\nmyhostname = mx.example.com\nrelayhost = [10.0.0.2]:587\n"), text);
        assertTrue(text.endsWith("mail_name = Relay\n"), text);
        run(Map.of(), "-c", dir.toString(), "-X", "not_a_parameter");
        assertTrue(!Files.readString(dir.resolve("main.cf")).contains("not_a_parameter"));
        run(Map.of(), "-c", dir.toString(), "-Pe", "relay/unix/syslog_name=postfix/out");
        assertTrue(Files.readString(dir.resolve("master.cf")).contains("    -o syslog_name=postfix/out\n"));
    }

    @Test
    void fatalErrorsExitNonZero() throws Exception {
        Files.writeString(dir.resolve("main.cf"), "broken line\n");
        assertEquals(1, run(Map.of(), "-c", dir.toString(), "-n"));
        assertEquals("postconf: fatal: " + dir + "/main.cf, line 1: missing '=' after attribute name: \"broken line\"\n", err);
        assertEquals(1, run(Map.of(), "-dn"));
        assertEquals("postconf: fatal: specify one of -d -n\n", err);
    }
}
