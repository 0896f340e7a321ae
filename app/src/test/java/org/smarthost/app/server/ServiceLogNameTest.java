package org.smarthost.app.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.smarthost.config.Config;
import org.smarthost.config.MasterService;
import org.smarthost.config.ParameterRegistry;

/** master.cf's "-o syslog_name=..." as Postfix's daemons use it in their log lines. */
class ServiceLogNameTest {

    private static MasterService service(String name, String command, String... args) {
        return new MasterService(name, "inet", "n", "-", "n", "-", "-", command, List.of(args), 1);
    }

    private static Config main(Map<String, String> values) {
        return Config.of(ParameterRegistry.standard(), Path.of("/nonexistent"), values);
    }

    @Test
    void theDaemonUnderMainCfsSyslogName() {
        assertEquals("postfix/smtpd", ServiceLogName.of(main(Map.of()), service("smtp", "smtpd"), "smtpd"));
        assertEquals("postfix/smtpd", ServiceLogName.of(main(Map.of()), null, "smtpd"));
    }

    @Test
    void aServiceOfItsOwnAsDebiansMasterCfWritesIt() {
        MasterService submission = service("submission", "smtpd", "-o", "syslog_name=postfix/submission",
                "-o", "smtpd_tls_security_level=encrypt");
        assertEquals("postfix/submission/smtpd", ServiceLogName.of(main(Map.of()), submission, "smtpd"));
        MasterService byName = service("smtps", "smtpd", "-o", "syslog_name=postfix/$service_name");
        assertEquals("postfix/smtps/smtpd", ServiceLogName.of(main(Map.of()), byName, "smtpd"));
    }

    @Test
    void anotherMainNameKeepsThePrefixTheLayoutReplaces() {
        // the log layout prints "postfix" as main.cf's syslog_name, "mx" here
        Config mx = main(Map.of("syslog_name", "mx"));
        assertEquals("postfix/smtpd", ServiceLogName.of(mx, service("smtp", "smtpd"), "smtpd"));
        assertEquals("postfix/submission/smtpd", ServiceLogName.of(mx,
                service("submission", "smtpd", "-o", "syslog_name=mx/submission"), "smtpd"));
        assertEquals("other/smtpd", ServiceLogName.of(mx, service("x", "smtpd", "-o", "syslog_name=other"), "smtpd"));
    }
}
