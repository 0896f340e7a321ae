package org.smarthost.app.server;

import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;
import org.smarthost.actors.delivery.DeliveryAgent;
import org.smarthost.actors.delivery.DeliveryResult;
import org.smarthost.actors.delivery.DestinationProblem;
import org.smarthost.actors.delivery.DestinationSettings;
import org.smarthost.actors.delivery.ErrorAgent;
import org.smarthost.actors.delivery.SmtpAgent;
import org.smarthost.actors.delivery.Transports;
import org.smarthost.config.Config;
import org.smarthost.config.MasterService;
import org.smarthost.persistence.body.BodyStore;
import org.smarthost.protocol.client.ClientSasl;
import org.smarthost.protocol.client.NexthopParser;
import org.smarthost.protocol.client.SmtpClient;
import org.smarthost.protocol.client.SmtpClientSettings;
import org.smarthost.protocol.client.StartTlsHook;
import org.smarthost.protocol.dns.DnsClient;
import org.smarthost.protocol.dns.InetProtocols;
import org.smarthost.protocol.dns.MxResolver;
import org.smarthost.protocol.io.NettyTransport;

/**
 * master.cf transports as delivery agents. A transport is a master.cf service; its command
 * decides the agent (smtp, lmtp, error — or retry when the error command runs as the retry
 * service — and discard), and its {@code -o name=value} settings override main.cf for that agent
 * only, as in Postfix (e.g. {@code relay ... smtp -o syslog_name=postfix/$service_name}). Agents
 * are made on first use and share one Netty event loop group and one DNS resolver.
 *
 * <p>DNS goes to the system's resolvers (resolv.conf). For tests only, the system property
 * {@code smarthost.dns.servers=127.0.0.1:5353[,...]} points it at local servers instead.
 */
public final class DeliveryTransports implements Transports, AutoCloseable {

    /** Test-only override of the DNS servers, "host:port" separated by commas. */
    public static final String DNS_SERVERS_PROPERTY = "smarthost.dns.servers";

    private final Config config;
    private final Map<String, String> mainCf;
    private final Map<String, MasterService> services = new HashMap<>();
    private final BodyStore bodies;
    private final NettyTransport transport = NettyTransport.best();
    private final EventLoopGroup group;
    private final MxResolver resolver;
    private final Map<String, DeliveryAgent> agents = new ConcurrentHashMap<>();
    private final List<SmtpClient> clients = new ArrayList<>();
    private final Map<String, ClientSasl> sasl = new HashMap<>();

    /**
     * @param queueDirectory where relative lookup table names (smtp_sasl_password_maps) start
     * @throws org.smarthost.config.ConfigException for a delivery agent's SMTP AUTH settings that
     *         Postfix's smtp(8) refuses (see {@link ClientSaslFactory}): checked now, at start or reload
     */
    public DeliveryTransports(Config config, List<MasterService> masterServices, BodyStore bodies, Path queueDirectory) {
        this.config = config;
        this.mainCf = expandedMainCf(config);
        for (MasterService s : masterServices) {
            if (s.type().equals("unix")) services.putIfAbsent(s.name(), s);
        }
        for (MasterService s : services.values()) {
            boolean lmtp = s.command().equals("lmtp");
            if (lmtp || s.command().equals("smtp")) {
                sasl.put(s.name(), ClientSaslFactory.build(config.withOverrides(s.overrides()), lmtp, queueDirectory,
                        LoggerFactory.getLogger(lmtp ? "postfix/lmtp" : "postfix/smtp")));
            }
        }
        this.bodies = bodies;
        this.group = transport.newGroup(2, new DefaultThreadFactory("smtp", true));
        this.resolver = new MxResolver(DnsClient.create(dnsServers(), Duration.ofSeconds(10)), new MxResolver.Settings(
                InetProtocols.parse(config.get("inet_protocols")),
                MxResolver.AddressPreference.parse(config.get("smtp_address_preference")),
                config.getInt("smtp_mx_address_limit"), config.getBool("smtp_defer_if_no_mx_address_found")));
    }

    /** main.cf values, $name-expanded, for the settings records that read Postfix names. */
    public static Map<String, String> expandedMainCf(Config c) {
        Map<String, String> m = new HashMap<>();
        for (String name : c.mainValues().keySet()) {
            try {
                m.put(name, c.get(name));
            } catch (RuntimeException e) {
                // an unknown name in main.cf: postconf warns about it
            }
        }
        for (String name : List.of("myhostname", "mydomain", "mydestination", "inet_interfaces", "relayhost",
                "default_transport", "relay_transport", "local_transport", "minimal_backoff_time")) {
            m.put(name, c.get(name));
        }
        return m;
    }

    @Override
    public DeliveryAgent agent(String transport) {
        return agents.computeIfAbsent(transport, this::createAgent);
    }

    private synchronized DeliveryAgent createAgent(String transport) {
        MasterService service = services.get(transport);
        if (service == null) return unavailable(transport);
        Config c = config.withOverrides(service.overrides());
        return switch (service.command()) {
            case "smtp" -> smtp(c, false, sasl.getOrDefault(transport, ClientSasl.NONE));
            case "lmtp" -> smtp(c, true, sasl.getOrDefault(transport, ClientSasl.NONE));
            case "error" -> transport.equals("retry") ? ErrorAgent.retry() : ErrorAgent.error();
            case "discard" -> ErrorAgent.discard();
            default -> unavailable(transport);
        };
    }

    private DeliveryAgent smtp(Config c, boolean lmtp, ClientSasl auth) {
        StartTlsHook tls = ClientTlsFactory.build(c, lmtp, LoggerFactory.getLogger(lmtp ? "postfix/lmtp" : "postfix/smtp"));
        SmtpClient client = new SmtpClient(clientSettings(c, lmtp), resolver, transport, group, tls, auth);
        clients.add(client);
        return new SmtpAgent(client, bodies, c.getTime("minimal_backoff_time"));
    }

    /** qmgr: "warning: connect to transport private/X: No such file or directory"; the mail waits. */
    private static DeliveryAgent unavailable(String transport) {
        return job -> {
            LoggerFactory.getLogger("postfix/qmgr").warn(
                    "warning: connect to transport private/{}: No such file or directory", transport);
            DestinationProblem problem = new DestinationProblem("4.3.0", "mail transport unavailable");
            return CompletableFuture.completedFuture(DeliveryResult.allDeferred(job, problem, problem.reason()));
        };
    }

    /** smtp_* or lmtp_* parameters (after the service's -o overrides) as client settings. */
    static SmtpClientSettings clientSettings(Config c, boolean lmtp) {
        String p = lmtp ? "lmtp_" : "smtp_";
        return new SmtpClientSettings(lmtp,
                c.get(lmtp ? "lmtp_lhlo_name" : "smtp_helo_name"),
                c.get("myhostname"),
                c.getTime(p + "connect_timeout"),
                c.getTime(lmtp ? "lmtp_lhlo_timeout" : "smtp_helo_timeout"),
                c.getTime(p + "mail_timeout"),
                c.getTime(p + "rcpt_timeout"),
                c.getTime(p + "data_init_timeout"),
                c.getTime(p + "data_xfer_timeout"),
                c.getTime(p + "data_done_timeout"),
                c.getTime(p + "quit_timeout"),
                c.getTime(p + "rset_timeout"),
                c.getInt(p + "mx_session_limit"),
                c.getBool(p + "skip_5xx_greeting"),
                !lmtp && c.getBool("smtp_never_send_ehlo"),
                c.getBool(p + "connection_cache_on_demand"),
                new HashSet<>(c.getList(p + "connection_cache_destinations")),
                c.getTime(p + "connection_cache_time_limit"),
                c.getTime(p + "connection_reuse_time_limit"),
                c.getInt(p + "connection_reuse_count_limit"),
                NexthopParser.port(c.get(p + "tcp_port").trim(), p + "tcp_port"));
    }

    @Override
    public DestinationSettings destinationSettings(String transport) {
        return DestinationSettings.forTransport(transport, mainCf);
    }

    @Override
    public int recipientLimit(String transport) {
        String own = mainCf.get(transport + "_destination_recipient_limit");
        String value = own != null && !own.isBlank() ? own : config.get("default_destination_recipient_limit");
        try {
            return Math.max(1, Integer.parseInt(value.trim()));
        } catch (NumberFormatException e) {
            return 50;
        }
    }

    @Override
    public String logger(String transport) {
        MasterService service = services.get(transport);
        return ServiceLogName.of(config, service, service == null ? transport : service.command());
    }

    private static List<InetSocketAddress> dnsServers() {
        String value = System.getProperty(DNS_SERVERS_PROPERTY, "").trim();
        List<InetSocketAddress> list = new ArrayList<>();
        if (value.isEmpty()) return list;
        for (String item : value.split("[,\\s]+")) {
            int colon = item.lastIndexOf(':');
            String host = colon < 0 ? item : item.substring(0, colon);
            int port = colon < 0 ? 53 : Integer.parseInt(item.substring(colon + 1));
            list.add(new InetSocketAddress(host.replace("[", "").replace("]", ""), port));
        }
        return list;
    }

    @Override
    public synchronized void close() {
        for (SmtpClient c : clients) c.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
}
