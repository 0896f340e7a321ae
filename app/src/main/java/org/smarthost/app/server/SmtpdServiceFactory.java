package org.smarthost.app.server;

import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.smarthost.actors.master.ServiceEntry;
import org.smarthost.actors.master.ServiceFactory;
import org.smarthost.actors.master.ServiceLauncher;
import org.smarthost.config.ConfigException;
import org.smarthost.config.MasterService;
import org.smarthost.protocol.smtpd.MessageReceiver;

/** master.cf services running "smtpd": an SMTP server per listening address. */
final class SmtpdServiceFactory implements ServiceFactory {

    private final MailConfig conf;
    private final MessageReceiver receiver;
    private final Map<String, MasterService> byKey = new HashMap<>();

    SmtpdServiceFactory(MailConfig conf, MessageReceiver receiver) {
        this.conf = conf;
        this.receiver = receiver;
        for (MasterService s : conf.masterServices()) byKey.put(s.name() + "/" + s.type(), s);
    }

    @Override
    public ServiceLauncher prepare(ServiceEntry entry) {
        MasterService service = byKey.get(entry.key());
        if (service == null) throw new ConfigException("no master.cf entry " + entry.key());
        if (!service.type().equals("inet")) {
            // smtpd on unix/pass sockets serves content filters' re-injection; not yet
            throw new ConfigException("smtpd on a \"" + service.type() + "\" socket is not supported by smarthost yet");
        }
        var c = conf.config().withOverrides(service.overrides()).withProcessName("smtpd");
        List<InetSocketAddress> addresses = InetAddresses.of(service, c);
        String logName = ServiceLogName.of(conf.config(), service, "smtpd");
        var settings = SmtpdSettingsFactory.build(c, entry.maxproc())
                .withLogName(logName)
                .with(SmtpdSettingsFactory.accessMaps(c, conf.queueDirectory()))
                .with(SmtpdTlsFactory.build(c, conf.queueDirectory(), logName))
                .with(SmtpdSaslFactory.build(c, conf.queueDirectory(), logName));
        return new SmtpdLauncher(List.copyOf(addresses), settings, receiver, service.name());
    }
}
