package org.smarthost.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class MasterCfTest {
    private static String resource(String path) throws Exception {
        try (InputStream in = MasterCfTest.class.getResourceAsStream(path)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void parsesDebiansMasterCf() throws Exception {
        MasterCf cf = MasterCf.parse("/etc/postfix/master.cf", resource("/samples/debian/master.cf"));
        assertEquals(31, cf.services().size());
        MasterService smtpd = cf.find("smtp", "inet").orElseThrow();
        assertEquals("smtpd", smtpd.command());
        assertEquals(false, smtpd.isPrivate());
        assertEquals(true, smtpd.isChroot());
        assertEquals(Optional.empty(), smtpd.processLimit());
        MasterService relay = cf.find("relay", "unix").orElseThrow();
        assertEquals(Map.of("syslog_name", "postfix/$service_name"), relay.overrides());
        MasterService tlsmgr = cf.find("tlsmgr", "unix").orElseThrow();
        assertEquals("1000?", tlsmgr.wakeupField());
        assertEquals(1000, tlsmgr.wakeupSeconds());
        MasterService maildrop = cf.find("maildrop", "unix").orElseThrow();
        assertEquals(List.of("flags=DRXhu", "user=vmail", "argv=/usr/bin/maildrop", "-d", "${recipient}"), maildrop.args());
        assertEquals("unix-dgram", cf.find("postlog", "unix-dgram").orElseThrow().type());
    }

    @Test
    void bracedOptionsHostPortAndContinuations() {
        MasterCf cf = MasterCf.parse("/m", """
                127.0.0.1:2525 inet n - n - 20 smtpd
                  # a comment between continuation lines
                  -o { smtpd_client_restrictions = permit_mynetworks, reject }
                  -o syslog_name=postfix/internal -v
                """);
        MasterService s = cf.services().get(0);
        assertEquals(Optional.of("127.0.0.1"), s.inetHost());
        assertEquals("2525", s.inetPort());
        assertEquals(Optional.of(20), s.processLimit());
        assertEquals(Map.of("smtpd_client_restrictions", "permit_mynetworks, reject", "syslog_name", "postfix/internal"),
                s.overrides());
        assertEquals("smtpd -o {smtpd_client_restrictions=permit_mynetworks, reject} -o syslog_name=postfix/internal -v",
                s.commandLine());
        assertEquals(1, s.line());
    }

    @Test
    void formatsLikePostconfM() {
        MasterService s = MasterCf.parse("/m", "scalemail-backend unix - n n - 2 pipe flags=R user=x argv=/bin/true\n")
                .services().get(0);
        assertEquals("scalemail-backend unix - n       n       -       2       pipe flags=R user=x argv=/bin/true",
                MasterCf.format(s, false));
        MasterService relay = MasterCf.parse("/m", "relay unix - - n - - smtp -o a=1 -o b=2\n").services().get(0);
        assertEquals("relay      unix  -       -       n       -       -       smtp\n    -o a=1\n    -o b=2",
                MasterCf.format(relay, true));
    }

    @Test
    void errorsNameTheProblem() {
        assertEquals("file /m: line 2: bad field count", assertThrows(ConfigException.class,
                () -> MasterCf.parse("/m", "# c\nsmtp inet n - y - -\n")).getMessage());
        assertEquals("invalid type field \"tcp\" in \"smtp tcp n - y - - smtpd\"", assertThrows(ConfigException.class,
                () -> MasterCf.parse("/m", "smtp tcp n - y - - smtpd\n")).getMessage());
        assertEquals("invalid process_limit field \"x\" in \"smtp inet n - y - x smtpd\"",
                assertThrows(ConfigException.class, () -> MasterCf.parse("/m", "smtp inet n - y - x smtpd\n")).getMessage());
        List<String> warnings = new ArrayList<>();
        MasterCf.tokenize("smtpd -o { a = b", warnings);
        assertEquals(List.of("master.cf: missing '}' in \"{ a = b\""), warnings);
        assertTrue(MasterCf.parse("/m", "  -o x=y\n").warnings().get(0).contains("must not start with whitespace"));
    }

    @Test
    void editsEntriesFieldsAndParameters() {
        String text = "# header\nrelay unix - - n - - smtp\n  -o a=1\nsmtp inet n - n - - smtpd\n";
        List<String> w = new ArrayList<>();
        assertEquals("# header\nrelay      unix  -       -       n       -       -       smtp\n    -o a=2\n"
                + "smtp inet n - n - - smtpd\n", MasterCfEditor.edit("/m", text, MainCf.EditMode.SET,
                MasterCfEditor.Target.PARAMETER, List.of("relay/unix/a=2"), w));
        assertEquals("# header\nsmtp inet n - n - - smtpd\n", MasterCfEditor.edit("/m", text,
                MainCf.EditMode.REMOVE, MasterCfEditor.Target.ENTRY, List.of("relay/unix"), w));
        assertEquals("# header\n#relay unix - - n - - smtp\n#  -o a=1\nsmtp inet n - n - - smtpd\n",
                MasterCfEditor.edit("/m", text, MainCf.EditMode.COMMENT_OUT, MasterCfEditor.Target.ENTRY,
                        List.of("relay/unix"), w));
        String added = MasterCfEditor.edit("/m", text, MainCf.EditMode.SET, MasterCfEditor.Target.ENTRY,
                List.of("x/unix = x unix - - n - - error"), w);
        assertTrue(added.endsWith("x          unix  -       -       n       -       -       error\n"), added);
        MasterCfEditor.edit("/m", text, MainCf.EditMode.SET, MasterCfEditor.Target.FIELD,
                List.of("nosuch/unix/chroot=y"), w);
        assertEquals(List.of("unmatched service_name/type: \"nosuch/unix/chroot=y\""), w);
    }
}
