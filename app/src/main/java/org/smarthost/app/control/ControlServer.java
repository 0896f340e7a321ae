package org.smarthost.app.control;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.Writer;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server end of the control channel: a UNIX domain socket at
 * {@code queue_directory/private/control}. The directory is mode 0700, so only the owner of
 * queue_directory (the user the server runs as) can connect, the way Postfix protects its
 * private/ service sockets.
 */
public final class ControlServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger("postfix/master");

    private final Path socket;
    private final Map<String, ControlCommand> commands = new ConcurrentHashMap<>();
    private final ServerSocketChannel server;
    private final ExecutorService workers;
    private final Thread acceptor;
    private volatile boolean closed;

    private ControlServer(Path socket, ServerSocketChannel server) {
        this.socket = socket;
        this.server = server;
        AtomicInteger n = new AtomicInteger();
        this.workers = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "control-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.acceptor = new Thread(this::acceptLoop, "control-accept");
        this.acceptor.setDaemon(true);
    }

    /** Binds {@code queueDirectory/private/control}, replacing a stale socket file. */
    public static ControlServer bind(Path queueDirectory) throws IOException {
        Path dir = queueDirectory.resolve("private");
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        Path socket = dir.resolve("control");
        Files.deleteIfExists(socket);
        ServerSocketChannel channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        channel.bind(UnixDomainSocketAddress.of(socket));
        ControlServer server = new ControlServer(socket, channel);
        server.acceptor.start();
        return server;
    }

    public static Path socketPath(Path queueDirectory) {
        return queueDirectory.resolve("private").resolve("control");
    }

    public void register(String name, ControlCommand command) {
        commands.put(name, command);
    }

    public void registerAll(Map<String, ControlCommand> more) {
        commands.putAll(more);
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                SocketChannel client = server.accept();
                workers.execute(() -> serve(client));
            } catch (IOException e) {
                if (!closed) log.warn("control channel: accept: {}", e.toString());
            }
        }
    }

    private void serve(SocketChannel client) {
        try (client) {
            DataInputStream in = new DataInputStream(new BufferedInputStream(Channels.newInputStream(client)));
            DataOutputStream out = new DataOutputStream(Channels.newOutputStream(client));
            List<String> request = ControlProtocol.readRequest(in);
            String name = request.get(0);
            List<String> args = List.copyOf(request.subList(1, request.size()));
            ControlCommand command = commands.get(name);
            PrintWriter stdout = new PrintWriter(new FrameWriter(out, ControlProtocol.STDOUT), false);
            PrintWriter stderr = new PrintWriter(new FrameWriter(out, ControlProtocol.STDERR), true);
            int status;
            if (command == null) {
                stderr.println(name + ": fatal: the running mail system does not support this command");
                status = 1;
            } else {
                try {
                    status = command.run(args, stdout, stderr);
                } catch (Exception e) {
                    log.warn("control command {}: {}", name, e.toString());
                    stderr.println(name + ": fatal: " + e.getMessage());
                    status = 1;
                }
            }
            stdout.flush();
            stderr.flush();
            synchronized (out) {
                out.writeByte(ControlProtocol.EXIT);
                out.writeInt(4);
                out.writeInt(status);
                out.flush();
            }
        } catch (IOException e) {
            // the client went away (e.g. "postqueue -p | head"); nothing to clean up
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        workers.shutdownNow();
        try {
            Files.deleteIfExists(socket);
        } catch (IOException ignored) {
            // best effort: a stale socket is replaced at the next start
        }
    }

    /** Turns what a command prints into frames of one stream type. */
    private static final class FrameWriter extends Writer {
        private final DataOutputStream out;
        private final byte type;

        FrameWriter(DataOutputStream out, byte type) {
            this.out = out;
            this.type = type;
        }

        @Override
        public void write(char[] cbuf, int off, int len) throws IOException {
            if (len == 0) return;
            byte[] bytes = new String(cbuf, off, len).getBytes(StandardCharsets.UTF_8);
            synchronized (out) {
                out.writeByte(type);
                out.writeInt(bytes.length);
                out.write(bytes);
            }
        }

        @Override
        public void flush() throws IOException {
            synchronized (out) {
                ((OutputStream) out).flush();
            }
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
