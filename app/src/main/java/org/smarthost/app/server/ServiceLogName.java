package org.smarthost.app.server;

import org.smarthost.config.Config;
import org.smarthost.config.MasterService;

/**
 * The program name a master.cf service logs as: "postfix/smtpd", or with
 * {@code -o syslog_name=postfix/submission} "postfix/submission/smtpd", as Postfix's daemons do.
 * The log layout maps the logger prefix "postfix" to main.cf's syslog_name, so a name under
 * main.cf's syslog_name is given with "postfix" in its place.
 */
final class ServiceLogName {

    private ServiceLogName() {
    }

    /**
     * @param config  main.cf, without the service's overrides
     * @param service the master.cf entry, or null when there is none
     * @param command the daemon: "smtpd", "smtp", "lmtp" ...
     */
    static String of(Config config, MasterService service, String command) {
        String mainName = config.get("syslog_name");
        String name = mainName;
        if (service != null && service.overrides().containsKey("syslog_name")) {
            name = config.expand(service.overrides().get("syslog_name")
                    .replace("${service_name}", service.name()).replace("$service_name", service.name()));
        }
        String program = name.startsWith(mainName) ? "postfix" + name.substring(mainName.length()) : name;
        return program + "/" + command;
    }
}
