package org.smarthost.app.server;

import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.smarthost.actors.queue.SchedulerSettings;
import org.smarthost.actors.resolve.AddressResolver;
import org.smarthost.actors.resolve.ResolverSettings;
import org.smarthost.actors.resolve.RelocatedStage;
import org.smarthost.actors.resolve.ResolveStage;
import org.smarthost.actors.resolve.ResolverChain;
import org.smarthost.actors.resolve.TransportMapStage;
import org.smarthost.actors.resolve.SenderDependentMaps;
import org.smarthost.actors.resolve.TrivialRewrite;
import org.slf4j.LoggerFactory;
import org.smarthost.config.Config;
import org.smarthost.config.tables.LookupTables;
import org.smarthost.config.tables.Maps;
import org.smarthost.persistence.queue.BackoffPolicy;
import org.smarthost.protocol.dsn.DsnSettings;

/** main.cf to the settings of qmgr, trivial-rewrite and bounce. */
public final class DeliverySettingsFactory {

    /** How long an idle destination's actor stays in memory; internal, not a Postfix knob. */
    private static final Duration DESTINATION_IDLE = Duration.ofSeconds(30);

    private DeliverySettingsFactory() {
    }

    public static SchedulerSettings scheduler(Config c) {
        return new SchedulerSettings(
                c.getInt("qmgr_message_active_limit"),
                c.getInt("qmgr_message_recipient_limit"),
                c.getTime("queue_run_delay"),
                new BackoffPolicy(c.getTime("minimal_backoff_time"), c.getTime("maximal_backoff_time"),
                        c.getTime("maximal_queue_lifetime"), c.getTime("bounce_queue_lifetime")),
                c.getTime("delay_warning_time"),
                c.getList("notify_classes").stream().map(s -> s.toLowerCase(Locale.ROOT)).collect(Collectors.toSet()),
                c.get("bounce_notice_recipient").trim(),
                c.get("2bounce_notice_recipient").trim(),
                c.get("delay_notice_recipient").trim(),
                // Postfix's mail_addr_double_bounce(): always qualified with myhostname
                c.get("double_bounce_sender").trim() + "@" + c.get("myhostname").trim(),
                DESTINATION_IDLE,
                c.getInt("delay_logging_resolution_limit", 0, 6));
    }

    /**
     * trivial-rewrite: the address class, then transport_maps, then relocated_maps. Table files
     * named relative start at queue_directory, where Postfix's daemons run; a table that cannot
     * be opened is logged now and defers the mail that needs it.
     */
    public static AddressResolver resolver(MailConfig conf) {
        Config c = conf.config();
        LookupTables tables = new LookupTables(conf.queueDirectory(), LoggerFactory.getLogger("postfix/trivial-rewrite"));
        String delimiter = c.get("recipient_delimiter");
        SenderDependentMaps senderDependent = new SenderDependentMaps(
                tables.maps("sender_dependent_relayhost_maps", c.get("sender_dependent_relayhost_maps")),
                tables.maps("sender_dependent_default_transport_maps", c.get("sender_dependent_default_transport_maps")),
                c.get("empty_address_relayhost_maps_lookup_key"),
                c.get("empty_address_default_transport_maps_lookup_key"),
                c.get("myorigin"), delimiter);
        TrivialRewrite classes = new TrivialRewrite(ResolverSettings.fromMainCf(DeliveryTransports.expandedMainCf(c)),
                tables, c.configDirectory().toString(), senderDependent);
        List<ResolveStage> stages = new ArrayList<>();
        Maps transport = tables.maps("transport_maps", c.get("transport_maps"));
        if (!transport.isEmpty()) {
            stages.add(new TransportMapStage(transport,
                    c.getList("parent_domain_matches_subdomains").contains("transport_maps"), delimiter));
        }
        Maps relocated = tables.maps("relocated_maps", c.get("relocated_maps"));
        if (!relocated.isEmpty()) stages.add(new RelocatedStage(relocated, classes::isLocal, delimiter));
        return stages.isEmpty() ? classes : new ResolverChain(classes, stages);
    }

    public static DsnSettings dsn(Config c) {
        return new DsnSettings(c.get("myhostname"), c.get("myorigin"), c.get("mail_name"),
                c.getSize("bounce_size_limit"), c.getTime("delay_warning_time"), c.getTime("maximal_queue_lifetime"),
                ZoneId.systemDefault());
    }
}
