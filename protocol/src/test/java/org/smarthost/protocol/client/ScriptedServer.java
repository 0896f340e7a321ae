package org.smarthost.protocol.client;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A loopback SMTP server whose conversation a test writes as code, for behaviour smtp-sink cannot
 * show (SIZE limits, checking that commands arrived pipelined, multi-line replies).
 */
final class ScriptedServer implements AutoCloseable {

    interface Script {
        void run(BufferedReader in, Reply out) throws IOException;
    }

    static final class Reply {
        private final OutputStream out;

        Reply(OutputStream out) { this.out = out; }

        void send(String... lines) throws IOException {
            StringBuilder sb = new StringBuilder();
            for (String l : lines) sb.append(l).append("\r\n");
            out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
        }
    }

    final List<String> received = new CopyOnWriteArrayList<>();
    final List<Throwable> errors = new CopyOnWriteArrayList<>();
    private final ServerSocket server;

    /** One script per connection, in the order the connections arrive. */
    ScriptedServer(Script... scripts) throws IOException {
        server = new ServerSocket(0, 10, InetAddress.getByName("127.0.0.1"));
        Thread t = new Thread(() -> {
            for (Script script : scripts) {
                try (Socket s = server.accept()) {
                    BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8)) {
                        @Override public String readLine() throws IOException {
                            String line = super.readLine();
                            if (line != null) received.add(line);
                            return line;
                        }
                    };
                    script.run(in, new Reply(s.getOutputStream()));
                } catch (Throwable e) {
                    if (!server.isClosed()) errors.add(e);
                }
            }
        }, "scripted-smtp");
        t.setDaemon(true);
        t.start();
    }

    int port() { return server.getLocalPort(); }

    String nexthop() { return "[127.0.0.1]:" + port(); }

    @Override public void close() throws IOException {
        server.close();
    }
}
