package org.smarthost.loadtests;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Postfix's smtp-sink(1) on a free 127.0.0.1 port, with its running counters (-c) read back so a
 * test can check how many messages really arrived.
 */
public final class SmtpSink implements AutoCloseable {

    public static final Path BINARY = Path.of("/usr/sbin/smtp-sink");
    private static final Pattern MESSAGES = Pattern.compile("mesg=(\\d+)");

    private final Process process;
    private final Path output;
    private final int port;

    private SmtpSink(Process process, Path output, int port) {
        this.process = process;
        this.output = output;
        this.port = port;
    }

    public static boolean available() {
        return Files.isExecutable(BINARY);
    }

    /**
     * Starts smtp-sink and waits (at most 10 s) until it accepts connections. {@code options} are
     * extra smtp-sink options, e.g. "-f", "rcpt" to reject every RCPT TO with a 5xx.
     */
    public static SmtpSink start(Path workDir, String... options) throws IOException, InterruptedException {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        Path output = workDir.resolve("smtp-sink-" + port + ".out");
        List<String> command = new ArrayList<>(List.of(BINARY.toString()));
        if ("root".equals(System.getProperty("user.name"))) {
            command.addAll(List.of("-u", "nobody")); // smtp-sink refuses to run as root without -u
        }
        command.addAll(List.of(options));
        command.addAll(List.of("-c", "127.0.0.1:" + port, "256"));
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .start();
        SmtpSink sink = new SmtpSink(process, output, port);
        for (int i = 0; i < 100; i++) {
            if (!process.isAlive()) {
                throw new IOException("smtp-sink exited: " + Files.readString(output));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return sink;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        sink.close();
        throw new IOException("smtp-sink did not listen on 127.0.0.1:" + port);
    }

    public int port() {
        return port;
    }

    /** Messages received so far (the last "mesg=N" counter smtp-sink printed). */
    public long messages() throws IOException {
        String text = new String(Files.readAllBytes(output), StandardCharsets.US_ASCII);
        Matcher m = MESSAGES.matcher(text);
        long last = 0;
        while (m.find()) {
            last = Long.parseLong(m.group(1));
        }
        return last;
    }

    /** Polls (at most {@code maxWaitMillis}) until the counter reaches {@code expected}; returns the count. */
    public long awaitMessages(long expected, long maxWaitMillis) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(maxWaitMillis);
        long seen = messages();
        while (seen < expected && System.nanoTime() < deadline) {
            Thread.sleep(50);
            seen = messages();
        }
        return seen;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }
}
