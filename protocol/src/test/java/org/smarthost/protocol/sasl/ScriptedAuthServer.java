package org.smarthost.protocol.sasl;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A loopback TCP server that plays the auth server's side as a test scripts it, for what a real
 * Dovecot does not do (wrong versions, missing fields, silence). Serves one connection at a time;
 * the script reads the client's lines with {@link Conversation#read()} and writes with
 * {@link Conversation#send(String...)}.
 */
final class ScriptedAuthServer implements AutoCloseable {

    interface Script {
        void run(Conversation c) throws Exception;
    }

    /** One connection, as the script sees it. */
    static class Conversation {
        private final BufferedReader in;
        private final OutputStream out;

        Conversation(Socket socket) throws IOException {
            this.in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            this.out = socket.getOutputStream();
        }

        /** The client's next line, or null at its end of the connection. */
        String read() throws IOException {
            return in.readLine();
        }

        void send(String... lines) throws IOException {
            StringBuilder sb = new StringBuilder();
            for (String l : lines) sb.append(l).append('\n');
            out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        /** Reads the client's handshake and answers with Dovecot's, offering {@code mechLines}. */
        void handshake(String... mechLines) throws IOException {
            read(); // VERSION
            read(); // CPID
            send("VERSION\t1\t2");
            send(mechLines);
            send("SPID\t4711", "CUID\t1", "COOKIE\t0123456789abcdef", "DONE");
        }
    }

    private final ServerSocket listener;
    private final Thread thread;
    /** Every line any client sent, in order. */
    final BlockingQueue<String> received = new LinkedBlockingQueue<>();
    private volatile Exception failure;

    ScriptedAuthServer(Script script) throws IOException {
        listener = new ServerSocket(0, 5, InetAddress.getByName("127.0.0.1"));
        thread = new Thread(() -> {
            while (!listener.isClosed()) {
                try (Socket socket = listener.accept()) {
                    script.run(new Recording(socket));
                } catch (IOException closed) {
                    // listener closed, or the client went away
                } catch (Exception e) {
                    failure = e;
                }
            }
        }, "scripted-auth-server");
        thread.setDaemon(true);
        thread.start();
    }

    /** A conversation that also records what the client sent. */
    private final class Recording extends Conversation {
        Recording(Socket socket) throws IOException {
            super(socket);
        }

        @Override String read() throws IOException {
            String line = super.read();
            if (line != null) received.add(line);
            return line;
        }
    }

    String path() {
        return "inet:127.0.0.1:" + listener.getLocalPort();
    }

    /** The next line a client sent, waiting up to 5 seconds; null if none came. */
    String nextReceived() throws InterruptedException {
        return received.poll(5, TimeUnit.SECONDS);
    }

    /** Stops listening, waits for the conversation to end; a script that failed fails the test here. */
    @Override public void close() throws IOException {
        listener.close();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (failure != null) throw new AssertionError("the script failed", failure);
    }
}
