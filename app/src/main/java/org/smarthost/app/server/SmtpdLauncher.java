package org.smarthost.app.server;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.smarthost.actors.master.RunningService;
import org.smarthost.actors.master.ServiceLauncher;
import org.smarthost.protocol.smtpd.MessageReceiver;
import org.smarthost.protocol.smtpd.SmtpServer;
import org.smarthost.protocol.smtpd.SmtpdSettings;

/**
 * An smtpd service ready to start. A record, so that reload keeps a service whose addresses
 * and settings did not change, and replaces it otherwise.
 */
record SmtpdLauncher(List<InetSocketAddress> addresses, SmtpdSettings settings, MessageReceiver receiver,
                     String serviceName) implements ServiceLauncher {

    private static final ScheduledExecutorService DRAIN_POLLER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "smtpd-drain");
        t.setDaemon(true);
        return t;
    });

    @Override
    public CompletionStage<RunningService> start() {
        // binding is quick and synchronous; run it off the master's thread anyway
        return CompletableFuture.supplyAsync(() -> {
            List<SmtpServer> servers = new ArrayList<>();
            for (InetSocketAddress address : addresses) {
                try {
                    servers.add(SmtpServer.start(settings, receiver, address, serviceName));
                } catch (Exception e) {   // Netty rethrows a BindException unchecked
                    servers.forEach(s -> s.shutdown(Duration.ZERO));
                    String why = e.getMessage() != null ? e.getMessage() : e.toString();
                    throw new IllegalStateException("bind " + address.getAddress().getHostAddress() + " port "
                            + address.getPort() + ": " + why, e);
                }
            }
            return new Running(List.copyOf(servers));
        });
    }

    private record Running(List<SmtpServer> servers) implements RunningService {

        @Override
        public String endpoint() {
            return servers.stream().map(s -> s.boundAddress().getAddress().getHostAddress() + ":"
                    + s.boundAddress().getPort()).collect(Collectors.joining(" "));
        }

        @Override
        public void stopAccepting() {
            servers.forEach(SmtpServer::stopAccepting);
        }

        @Override
        public CompletionStage<Void> drain() {
            stopAccepting();
            CompletableFuture<Void> drained = new CompletableFuture<>();
            // SmtpServer has no "last session ended" callback; a slow poll is plenty for reloads
            ScheduledFuture<?> poll = DRAIN_POLLER.scheduleWithFixedDelay(() -> {
                if (servers.stream().allMatch(s -> s.activeSessions() == 0)) drained.complete(null);
            }, 0, 500, TimeUnit.MILLISECONDS);
            return drained.whenComplete((ok, failure) -> poll.cancel(false))
                    .thenCompose(ok -> shutdown(Duration.ZERO));
        }

        @Override
        public CompletionStage<Void> shutdown(Duration grace) {
            return CompletableFuture.allOf(servers.stream().map(s -> s.shutdown(grace).toCompletableFuture())
                    .toArray(CompletableFuture[]::new));
        }
    }
}
