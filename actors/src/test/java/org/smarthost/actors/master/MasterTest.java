package org.smarthost.actors.master;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The master against real listening sockets on 127.0.0.1. */
class MasterTest {

    private static final ActorTestKit testKit = ActorTestKit.create();

    @AfterAll
    static void cleanup() {
        testKit.shutdownTestKit();
    }

    /** A service that listens on 127.0.0.1:port; "tag" stands for its settings. */
    record TcpLauncher(int port, String tag) implements ServiceLauncher {
        @Override
        public CompletionStage<RunningService> start() {
            try {
                ServerSocketChannel channel = ServerSocketChannel.open();
                channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                channel.bind(new InetSocketAddress("127.0.0.1", port));
                return CompletableFuture.completedFuture(new RunningService() {
                    @Override
                    public String endpoint() {
                        return "127.0.0.1:" + port;
                    }

                    @Override
                    public void stopAccepting() {
                        try {
                            channel.close();
                        } catch (IOException ignored) {
                            // closed
                        }
                    }

                    @Override
                    public CompletionStage<Void> drain() {
                        stopAccepting();
                        return CompletableFuture.completedFuture(null);
                    }

                    @Override
                    public CompletionStage<Void> shutdown(Duration grace) {
                        stopAccepting();
                        return CompletableFuture.completedFuture(null);
                    }
                });
            } catch (IOException e) {
                return CompletableFuture.failedFuture(new IOException("bind 127.0.0.1 port " + port + ": " + e.getMessage()));
            }
        }
    }

    private static final Map<String, ServiceFactory> FACTORIES = Map.of("tcp",
            entry -> new TcpLauncher(Integer.parseInt(entry.args().get(0)), entry.args().get(1)));

    private static ServiceEntry tcp(String name, int port, String tag) {
        return new ServiceEntry(name, "inet", "tcp", List.of(Integer.toString(port), tag), 100);
    }

    private static int freePort() throws IOException {
        try (ServerSocketChannel c = ServerSocketChannel.open()) {
            c.bind(new InetSocketAddress("127.0.0.1", 0));
            return ((InetSocketAddress) c.getLocalAddress()).getPort();
        }
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private Master.Applied apply(ActorRef<Master.Command> master, List<ServiceEntry> services) {
        TestProbe<Master.Applied> probe = testKit.createTestProbe();
        master.tell(new Master.Apply(services, FACTORIES, probe.getRef()));
        return probe.receiveMessage(Duration.ofSeconds(10));
    }

    @Test
    void reloadOpensNewClosesRemovedAndReplacesChangedServices() throws IOException {
        int p1 = freePort();
        int p2 = freePort();
        ActorRef<Master.Command> master = testKit.spawn(Master.create());
        ServiceEntry internal = new ServiceEntry("qmgr", "unix", "qmgr", List.of(), 1);
        ServiceEntry unknown = new ServiceEntry("weird", "unix", "no-such-daemon", List.of(), 1);

        Master.Applied started = apply(master, List.of(tcp("a", p1, "x"), internal, unknown));
        assertTrue(started.ok(), started.failures().toString());
        assertEquals(List.of("127.0.0.1:" + p1), started.endpoints());
        assertTrue(listening(p1));

        // a changed (same address, new settings): the old listener must let go before the new one binds
        Master.Applied reloaded = apply(master, List.of(tcp("a", p1, "y"), tcp("b", p2, "x")));
        assertTrue(reloaded.ok(), reloaded.failures().toString());
        assertEquals(2, reloaded.endpoints().size());
        assertTrue(listening(p1));
        assertTrue(listening(p2));

        // unchanged services are not restarted: nothing new to report
        Master.Applied same = apply(master, List.of(tcp("a", p1, "y"), tcp("b", p2, "x")));
        assertEquals(List.of(), same.endpoints());

        Master.Applied removed = apply(master, List.of(tcp("b", p2, "x")));
        assertTrue(removed.ok());
        assertFalse(listening(p1));
        assertTrue(listening(p2));

        TestProbe<Master.Stopped> stopped = testKit.createTestProbe();
        master.tell(new Master.Stop(Duration.ofSeconds(1), stopped.getRef()));
        stopped.receiveMessage(Duration.ofSeconds(10));
        assertFalse(listening(p2));
    }

    @Test
    void aServiceThatCannotListenIsReported() throws IOException {
        try (ServerSocketChannel taken = ServerSocketChannel.open()) {
            taken.bind(new InetSocketAddress("127.0.0.1", 0));
            int port = ((InetSocketAddress) taken.getLocalAddress()).getPort();
            ActorRef<Master.Command> master = testKit.spawn(Master.create());
            Master.Applied applied = apply(master, List.of(tcp("busy", port, "x")));
            assertFalse(applied.ok());
            assertTrue(applied.failures().get(0).startsWith("service busy/inet: bind 127.0.0.1 port " + port),
                    applied.failures().toString());
        }
    }
}
