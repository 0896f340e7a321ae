package org.smarthost.app.server;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.smarthost.config.Config;
import org.smarthost.config.ConfigException;
import org.smarthost.config.MasterService;

/**
 * Where an inet service listens, as Postfix's master decides it: "host:port" names their
 * address; a bare port or service name ("smtp", "submission") listens on inet_interfaces.
 */
final class InetAddresses {

    private static final Map<String, Integer> WELL_KNOWN = Map.of(
            "smtp", 25, "submission", 587, "smtps", 465, "submissions", 465, "lmtp", 24, "qmtp", 209);

    private InetAddresses() {
    }

    static List<InetSocketAddress> of(MasterService service, Config c) {
        int port = port(service.inetPort());
        List<InetSocketAddress> out = new ArrayList<>();
        if (service.inetHost().isPresent() && !service.inetHost().get().isEmpty()) {
            out.add(new InetSocketAddress(address(service.inetHost().get()), port));
            return out;
        }
        String protocols = c.get("inet_protocols").toLowerCase(Locale.ROOT);
        boolean ipv4 = protocols.contains("all") || protocols.contains("ipv4");
        for (String iface : c.getList("inet_interfaces")) {
            switch (iface.toLowerCase(Locale.ROOT)) {
                case "all" -> out.add(new InetSocketAddress(port));
                case "loopback-only" -> out.add(new InetSocketAddress(
                        address(ipv4 ? "127.0.0.1" : "::1"), port));
                default -> out.add(new InetSocketAddress(address(iface), port));
            }
        }
        if (out.isEmpty()) throw new ConfigException("inet_interfaces: no local interface found for " + service.name());
        return out;
    }

    private static InetAddress address(String host) {
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        try {
            return InetAddress.getByName(h);
        } catch (UnknownHostException e) {
            throw new ConfigException("host not found: " + h);
        }
    }

    static int port(String name) {
        if (name.chars().allMatch(Character::isDigit) && !name.isEmpty()) {
            int port = Integer.parseInt(name);
            if (port < 1 || port > 65535) throw new ConfigException("bad port number: " + name);
            return port;
        }
        Integer known = fromEtcServices(name);
        if (known == null) known = WELL_KNOWN.get(name);
        if (known == null) throw new ConfigException("unknown service: " + name + "/tcp");
        return known;
    }

    private static Integer fromEtcServices(String name) {
        Path services = Path.of("/etc/services");
        if (!Files.isReadable(services)) return null;
        try {
            for (String line : Files.readAllLines(services)) {
                String[] f = line.replaceFirst("#.*", "").trim().split("\\s+");
                if (f.length < 2 || !f[1].endsWith("/tcp")) continue;
                boolean match = f[0].equals(name);
                for (int i = 2; i < f.length && !match; i++) match = f[i].equals(name);
                if (match) return Integer.parseInt(f[1].substring(0, f[1].indexOf('/')));
            }
        } catch (IOException | NumberFormatException e) {
            return null;
        }
        return null;
    }
}
