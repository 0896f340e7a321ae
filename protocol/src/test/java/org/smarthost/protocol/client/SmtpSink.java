package org.smarthost.protocol.client;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Postfix's smtp-sink(1) as a child process on a free loopback port, dumping each message into a
 * directory (-d) and printing session counters (-c).
 */
final class SmtpSink implements AutoCloseable {

    static final Path BINARY = Path.of("/usr/sbin/smtp-sink");

    private final Process process;
    private final Path dumps;
    private final Path output;
    final String host;
    final int port;

    private SmtpSink(Process process, Path dumps, Path output, String host, int port) {
        this.process = process;
        this.dumps = dumps;
        this.output = output;
        this.host = host;
        this.port = port;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }

    static SmtpSink start(Path dir, String... options) throws Exception {
        return start(dir, "127.0.0.1", freePort(), options);
    }

    /** Starts on host:port (another loopback address such as 127.0.0.2 works on Linux). */
    static SmtpSink start(Path dir, String host, int port, String... options) throws Exception {
        Path dumps = Files.createTempDirectory(dir, "sink");
        // smtp-sink drops privileges to -u when run as root; that user writes the dumps.
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(dumps, PosixFilePermissions.fromString("rwxrwxrwx"));
        List<String> command = new ArrayList<>(List.of(BINARY.toString(), "-c", "-d", dumps + "/%M."));
        if ("root".equals(System.getProperty("user.name"))) command.addAll(List.of("-u", "nobody"));
        command.addAll(List.of(options));
        command.add(host + ":" + port);
        command.add("16");
        Path output = dumps.resolve("stdout");
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(output.toFile()).start();
        SmtpSink sink = new SmtpSink(process, dumps, output, host, port);
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (true) {
            try (Socket probe = new Socket()) {
                probe.connect(new InetSocketAddress(host, port), 200);
                break;
            } catch (IOException notYet) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    sink.close();
                    throw new IOException("smtp-sink did not start: " + Files.readString(output));
                }
                Thread.sleep(20);
            }
        }
        return sink;
    }

    String nexthop() {
        return "[" + host + "]:" + port;
    }

    /** The dumped messages (smtp-sink headers, then the content as received). */
    List<String> messages() throws IOException {
        try (Stream<Path> files = Files.list(dumps)) {
            List<String> list = new ArrayList<>();
            for (Path p : files.filter(p -> !p.getFileName().toString().equals("stdout")).sorted().toList()) {
                list.add(Files.readString(p, StandardCharsets.ISO_8859_1));
            }
            return list;
        }
    }

    /** Waits for n dumped messages (the dump is written when "." is received). */
    List<String> awaitMessages(int n) throws Exception {
        long deadline = System.nanoTime() + 5_000_000_000L;
        List<String> list = messages();
        while (list.size() < n && System.nanoTime() < deadline) {
            Thread.sleep(20);
            list = messages();
        }
        return list;
    }

    private static final Pattern COUNTERS = Pattern.compile("sess=(\\d+) quit=(\\d+) mesg=(\\d+)");

    /** The latest -c counters: {sessions ended, QUITs, messages}. */
    int[] counters() throws IOException {
        Matcher m = COUNTERS.matcher(Files.readString(output, StandardCharsets.ISO_8859_1));
        int[] last = {0, 0, 0};
        while (m.find()) {
            last = new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3))};
        }
        return last;
    }

    @Override public void close() {
        process.destroy();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
