package org.smarthost.loadtests.smtp;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.smtp.SmtpRequests;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The client's STARTTLS and AUTH PLAIN against a scripted server (plain sockets, the JDK's TLS
 * with a key pair keytool makes): what goes over the wire, when TLS starts, what the stages
 * complete with.
 */
class StartTlsAndAuthTest {

    @TempDir
    static Path dir;

    private static SSLContext serverTls;
    private static EventLoopGroup loop;

    @BeforeAll
    static void setUp() throws Exception {
        Path keystore = dir.resolve("server.p12");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Process p = new ProcessBuilder(keytool, "-genkeypair", "-alias", "smtp", "-keyalg", "EC",
                "-groupname", "secp256r1", "-dname", "CN=fake.example", "-validity", "2",
                "-storetype", "PKCS12", "-keystore", keystore.toString(), "-storepass", "changeit")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "keytool: " + out);
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = java.nio.file.Files.newInputStream(keystore)) {
            ks.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "changeit".toCharArray());
        serverTls = SSLContext.getInstance("TLS");
        serverTls.init(kmf.getKeyManagers(), null, null);
        loop = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (loop != null) {
            loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void startTlsThenEhloAgainAndAuthPlainOverTls() throws Exception {
        try (FakeServer server = new FakeServer(peer -> {
            peer.send("220 fake.example ESMTP");
            peer.expect("EHLO loadgen.example");
            peer.send("250-fake.example", "250 STARTTLS");
            peer.expect("STARTTLS");
            peer.send("220 2.0.0 Ready to start TLS");
            peer.startTls();
            peer.expect("EHLO loadgen.example");
            peer.send("250-fake.example", "250 AUTH PLAIN");
            peer.read(); // AUTH
            peer.send("235 2.7.0 Authentication successful");
            peer.expect("QUIT");
            peer.send("221 2.0.0 Bye");
        })) {
            SmtpConnection c = connect(server);
            assertEquals(250, await(c.command(SmtpRequests.ehlo("loadgen.example"))).code());
            assertFalse(c.isEncrypted());

            SmtpReply starttls = await(c.startTls());
            assertEquals(220, starttls.code());
            assertTrue(c.isEncrypted(), "TLS is on once the stage completes");
            SmtpReply ehlo = await(c.command(SmtpRequests.ehlo("loadgen.example")));
            assertEquals(List.of("fake.example", "AUTH PLAIN"), ehlo.lines());
            assertEquals(235, await(c.authPlain("alice", "secret")).code());
            assertEquals(221, await(c.command(SmtpRequests.quit())).code());

            server.await();
            // RFC 4616: base64 of NUL "alice" NUL "secret", sent as the initial response
            assertEquals("AUTH PLAIN AGFsaWNlAHNlY3JldA==", server.lines.get(3));
            assertTrue(server.tlsProtocol.startsWith("TLSv1."), server.tlsProtocol);
            c.close();
        }
    }

    @Test
    void aRefusedStartTlsCompletesWithTheReplyAndTheSessionGoesOnInPlaintext() throws Exception {
        try (FakeServer server = new FakeServer(peer -> {
            peer.send("220 fake.example ESMTP");
            peer.expect("STARTTLS");
            peer.send("454 4.7.0 TLS not available due to local problem");
            peer.expect("QUIT");
            peer.send("221 2.0.0 Bye");
        })) {
            SmtpConnection c = connect(server);
            assertEquals(454, await(c.startTls()).code());
            assertFalse(c.isEncrypted());
            assertEquals(221, await(c.command(SmtpRequests.quit())).code());
            server.await();
            c.close();
        }
    }

    @Test
    void aFailedHandshakeFailsTheStageAndClosesTheConnection() throws Exception {
        try (FakeServer server = new FakeServer(peer -> {
            peer.send("220 fake.example ESMTP");
            peer.expect("STARTTLS");
            peer.send("220 2.0.0 Ready to start TLS");
            peer.send("this is not TLS at all, and long enough to be read as a TLS record header");
            peer.drain();
        })) {
            SmtpConnection c = connect(server);
            ExecutionException e = assertThrows(ExecutionException.class, () -> await(c.startTls()));
            assertTrue(e.getCause() instanceof javax.net.ssl.SSLException
                    || e.getCause() instanceof io.netty.handler.codec.DecoderException, e.getCause().toString());
            for (int i = 0; i < 100 && c.isOpen(); i++) {
                Thread.sleep(20);
            }
            assertFalse(c.isOpen(), "connection closed");
            server.await();
        }
    }

    @Test
    void authPlainWithAWrongPasswordCompletesWith535() throws Exception {
        try (FakeServer server = new FakeServer(peer -> {
            peer.send("220 fake.example ESMTP");
            String auth = peer.read();
            peer.send(auth.equals("AUTH PLAIN " + SmtpConnection.plainResponse("bob", "hunter2"))
                    ? "235 2.7.0 Authentication successful" : "535 5.7.8 Error: authentication failed");
        })) {
            SmtpConnection c = connect(server);
            assertEquals(535, await(c.authPlain("bob", "wrong")).code());
            server.await();
            c.close();
        }
    }

    private static SmtpConnection connect(FakeServer server) throws Exception {
        SmtpClient client = new SmtpClient(NioSocketChannel::new, Duration.ofSeconds(10));
        return await(client.connect(new InetSocketAddress("127.0.0.1", server.port()), loop));
    }

    private static <T> T await(java.util.concurrent.CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(15, TimeUnit.SECONDS);
    }

    /** What a scripted server does with its one client. */
    @FunctionalInterface
    interface Script {
        void run(FakeServer peer) throws Exception;
    }

    /** One connection, one script, on a thread of its own; lines it read are kept. */
    static final class FakeServer implements AutoCloseable {

        final List<String> lines = new CopyOnWriteArrayList<>();
        volatile String tlsProtocol = "";
        private final ServerSocket listener;
        private final CompletableFuture<Void> done = new CompletableFuture<>();
        private Socket socket;
        private BufferedReader in;
        private OutputStream out;

        FakeServer(Script script) throws IOException {
            listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
            Thread thread = new Thread(() -> {
                try (Socket s = listener.accept()) {
                    socket = s;
                    s.setSoTimeout(15_000);
                    in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
                    out = s.getOutputStream();
                    script.run(this);
                    done.complete(null);
                } catch (Throwable t) {
                    done.completeExceptionally(t);
                }
            }, "fake-smtp-server");
            thread.setDaemon(true);
            thread.start();
        }

        int port() {
            return listener.getLocalPort();
        }

        void send(String... replyLines) throws IOException {
            out.write((String.join("\r\n", replyLines) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }

        String read() throws IOException {
            String line = in.readLine();
            if (line == null) {
                throw new IOException("client closed the connection");
            }
            lines.add(line);
            return line;
        }

        void expect(String command) throws IOException {
            String line = read();
            if (!line.equals(command)) {
                throw new AssertionError("expected " + command + ", got " + line);
            }
        }

        /** Server side of the handshake; later reads and writes go through TLS. */
        void startTls() throws IOException {
            SSLSocket tls = (SSLSocket) serverTls.getSocketFactory().createSocket(socket, null, socket.getPort(), false);
            tls.setUseClientMode(false);
            tls.startHandshake();
            tlsProtocol = tls.getSession().getProtocol();
            in = new BufferedReader(new InputStreamReader(tls.getInputStream(), StandardCharsets.US_ASCII));
            out = tls.getOutputStream();
        }

        /** Reads until the client closes. */
        void drain() throws IOException {
            InputStream raw = socket.getInputStream();
            while (raw.read() >= 0) {
                // whatever the client's TLS sent
            }
        }

        /** Waits for the script's end and rethrows what went wrong in it. */
        void await() throws Exception {
            done.get(15, TimeUnit.SECONDS);
        }

        @Override
        public void close() throws IOException {
            listener.close();
        }
    }
}
