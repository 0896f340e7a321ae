package org.smarthost.app.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Start-up problems are reported by "postfix start" itself, with a non-zero status. */
class StartupFailureIT {

    @TempDir
    Path temp;

    @Test
    void aPortInUseFailsTheStartAndSaysWhy() throws Exception {
        try (MailSystem mail = new MailSystem(temp); ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress("127.0.0.1", mail.port));
            MailSystem.Result start = mail.run("postfix", "start");
            assertEquals(1, start.exit(), start.toString());
            // the server's own fatal message, which may not have reached maillog_file: always shown
            assertTrue(start.err().contains("bind 127.0.0.1 port " + mail.port), start.err());
            // postfix(1)'s verdict: in maillog_file, and on stderr only when that is a terminal
            assertFalse(start.err().contains("postfix/postfix-script"), start.err());
            assertTrue(Files.readString(mail.maillog()).lines().anyMatch(
                    l -> l.matches(".* postfix/postfix-script\\[\\d+\\]: fatal: mail system startup failed")),
                    Files.readString(mail.maillog()));
            assertEquals(1, mail.run("postfix", "status").exit());
        }
    }

    @Test
    void aBrokenMasterCfIsCaughtByCheck() throws Exception {
        try (MailSystem mail = new MailSystem(temp)) {
            Files.writeString(mail.configDir.resolve("master.cf"), "smtp inet n - n - smtpd\n");
            MailSystem.Result check = mail.run("postfix", "check");
            assertEquals(1, check.exit(), check.toString());
            assertTrue(check.err().contains("bad field count"), check.err());
            MailSystem.Result start = mail.run("postfix", "start");
            assertEquals(1, start.exit(), start.toString());
        }
    }
}
