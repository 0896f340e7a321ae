package org.smarthost.protocol.sasl;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.handler.codec.string.StringDecoder;
import io.netty.handler.codec.string.StringEncoder;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.smarthost.protocol.io.NettyTransport;
import org.smarthost.protocol.io.SocketErrors;

/**
 * Postfix's {@code smtpd_sasl_type = dovecot}: a client of the Dovecot auth server's client
 * protocol (version 1), the counterpart of Postfix's xsasl_dovecot_server.c.
 *
 * <p>{@code smtpd_sasl_path} is {@code inet:host:port}, or a UNIX-domain socket {@code unix:/path}
 * or plain {@code /path}; a relative socket path is relative to the queue directory (Postfix's
 * smtpd runs there), so the usual {@code private/auth} works. One connection is shared by all
 * exchanges, which are told apart by request id. It is opened on first use with the handshake
 * (client {@code VERSION 1 1} and {@code CPID}; server {@code VERSION}, {@code MECH} lines,
 * {@code SPID}, {@code CUID}, {@code COOKIE}, {@code DONE}); when it is lost, exchanges waiting for
 * a reply end with a {@link SaslStep.TempFail} and the next use connects again.
 *
 * <p>All state is confined to one event loop; nothing blocks it (a host name in an {@code inet:}
 * path is resolved off the loop). Each handshake and each step has the time limit given to the
 * constructor.
 */
public final class DovecotSaslServer implements SaslServer {

    /** Logs as the smtpd it serves ("postfix/smtpd", "postfix/submission/smtpd" ...). */
    private final Logger log;

    /** The protocol version we speak; Dovecot 2.x sends 1.2, minor versions are compatible. */
    static final int MAJOR_VERSION = 1;
    static final int MINOR_VERSION = 1;

    /** Dovecot's AUTH_CLIENT_MAX_LINE_LENGTH is 16384; a longer line ends the connection. */
    private static final int MAX_LINE = 64 * 1024;

    static final String LOST = "Connection lost to authentication server";
    static final String CANT_CONNECT = "Can't connect to authentication server";
    static final String TIMED_OUT = "Timed out waiting for authentication server";
    static final String CLOSED = "Authentication server connection closed";
    static final String ABORTED = "Authentication aborted";
    static final String BACKEND_ERROR = "Authentication backend error";

    private final String path;
    private final SocketAddress address;
    private final NettyTransport transport;
    private final EventLoop loop;
    private final EventLoopGroup ownedGroup;
    private final Duration timeout;

    // Confined to the event loop.
    private Connection connection;
    private boolean closed;
    private int connectionsOpened;

    /**
     * A client of the Dovecot auth server at {@code path} ({@code smtpd_sasl_path}), on one event
     * loop of {@code group}, whose loops must be of {@code transport}. Nothing connects before the
     * first use.
     *
     * @param queueDirectory what a relative UNIX-domain socket path is relative to
     * @param timeout        the limit on connecting plus the handshake, and on each reply (Postfix
     *                       has 10 seconds; mind that Dovecot's auth penalty delays requests from a
     *                       client address with recent failures by up to 15 seconds)
     * @throws IllegalArgumentException for a malformed path
     */
    public DovecotSaslServer(String path, Path queueDirectory, Duration timeout, NettyTransport transport,
                             EventLoopGroup group) {
        this(path, queueDirectory, timeout, transport, group, false, "postfix/smtpd");
    }

    private DovecotSaslServer(String path, Path queueDirectory, Duration timeout, NettyTransport transport,
                              EventLoopGroup group, boolean ownsGroup, String logName) {
        if (timeout.isNegative() || timeout.isZero()) throw new IllegalArgumentException("timeout must be positive: " + timeout);
        this.log = LoggerFactory.getLogger(logName);
        this.path = path;
        this.address = socketAddress(path, queueDirectory);
        this.timeout = timeout;
        this.transport = transport;
        this.loop = group.next();
        this.ownedGroup = ownsGroup ? group : null;
    }

    /** A server on its own event loop of the best transport, shut down by {@link #close()}. */
    public static DovecotSaslServer create(String path, Path queueDirectory, Duration timeout) {
        return create(path, queueDirectory, timeout, "postfix/smtpd");
    }

    /** As {@link #create(String, Path, Duration)}, logging as {@code logName} (the smtpd's). */
    public static DovecotSaslServer create(String path, Path queueDirectory, Duration timeout, String logName) {
        NettyTransport transport = NettyTransport.best();
        EventLoopGroup group = transport.newGroup(1, new DefaultThreadFactory("sasl", true));
        try {
            return new DovecotSaslServer(path, queueDirectory, timeout, transport, group, true, logName);
        } catch (RuntimeException e) {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            throw e;
        }
    }

    /**
     * Where {@code path} ({@code smtpd_sasl_path} for Dovecot) points: {@code inet:host:port}
     * ({@code inet:[v6addr]:port}; the host defaults to localhost), else a UNIX-domain socket,
     * {@code unix:} prefix optional, relative to {@code queueDirectory}. A host name stays
     * unresolved; it is resolved at each connect.
     */
    static SocketAddress socketAddress(String path, Path queueDirectory) {
        String value = path.strip();
        if (value.regionMatches(true, 0, "inet:", 0, 5)) {
            String hostPort = value.substring(5);
            String host;
            String port;
            if (hostPort.startsWith("[")) {
                int end = hostPort.indexOf(']');
                if (end < 0 || !hostPort.startsWith(":", end + 1)) {
                    throw new IllegalArgumentException("bad Dovecot auth socket address: " + path);
                }
                host = hostPort.substring(1, end);
                port = hostPort.substring(end + 2);
            } else {
                int colon = hostPort.lastIndexOf(':');
                host = colon < 0 ? "" : hostPort.substring(0, colon);
                port = hostPort.substring(colon + 1);
            }
            if (host.isEmpty()) host = "localhost";
            int number;
            try {
                number = Integer.parseInt(port);
            } catch (NumberFormatException e) {
                number = -1;
            }
            if (number <= 0 || number > 65535) {
                throw new IllegalArgumentException("bad port in Dovecot auth socket address: " + path);
            }
            byte[] literal = NetUtil.createByteArrayFromIpAddressString(host);
            if (literal == null) return InetSocketAddress.createUnresolved(host, number);
            try {
                return new InetSocketAddress(InetAddress.getByAddress(host, literal), number);
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("bad Dovecot auth socket address: " + path, e);
            }
        }
        if (value.regionMatches(true, 0, "unix:", 0, 5)) value = value.substring(5);
        if (value.isEmpty()) throw new IllegalArgumentException("empty Dovecot auth socket path: \"" + path + "\"");
        Path socket = Path.of(value);
        return UnixDomainSocketAddress.of(socket.isAbsolute() ? socket : queueDirectory.resolve(socket));
    }

    /** The socket this server connects to (a UNIX-domain path already resolved against the queue directory). */
    public SocketAddress address() {
        return address;
    }

    @Override public CompletionStage<List<String>> mechanisms(SaslSecurityOptions options) {
        CompletableFuture<List<String>> result = new CompletableFuture<>();
        inLoop(() -> {
            if (closed) {
                result.completeExceptionally(new SaslUnavailableException(CLOSED));
                return;
            }
            connection().ready.whenComplete((mechanisms, error) -> {
                if (error != null) {
                    result.completeExceptionally(error);
                    return;
                }
                List<String> names = new ArrayList<>();
                for (Mechanism m : mechanisms) if (m.passes(options)) names.add(m.name());
                result.complete(List.copyOf(names));
            });
        });
        return result;
    }

    @Override public SaslExchange begin(SaslRequest request) {
        return new Exchange(request);
    }

    @Override public void close() {
        inLoop(() -> {
            closed = true;
            if (connection != null) connection.lose(CLOSED, false);
        });
        if (ownedGroup != null) ownedGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** Connections opened so far (for tests: exchanges share one). */
    int connectionsOpened() {
        CompletableFuture<Integer> n = new CompletableFuture<>();
        inLoop(() -> n.complete(connectionsOpened));
        return n.join();
    }

    private void inLoop(Runnable task) {
        if (loop.inEventLoop()) {
            task.run();
            return;
        }
        try {
            loop.execute(task);
        } catch (RejectedExecutionException shutDown) {
            task.run(); // our own loop after close(): it has ended, so nothing else touches the state
        }
    }

    /** The live connection, opening one when there is none. */
    private Connection connection() {
        if (connection == null || connection.lost) {
            connection = new Connection();
            connectionsOpened++;
            connection.open();
        }
        return connection;
    }

    /** One mechanism from a MECH line; private ones are never kept (Postfix skips them too). */
    record Mechanism(String name, boolean plaintext, boolean active, boolean dictionary, boolean anonymous,
                     boolean forwardSecrecy, boolean mutualAuth) {

        /** Parses the fields after "MECH"; null for a private mechanism. */
        static Mechanism parse(String[] fields) {
            boolean plaintext = false, active = false, dictionary = false, anonymous = false;
            boolean forwardSecrecy = false, mutualAuth = false;
            for (int i = 2; i < fields.length; i++) {
                switch (fields[i].toLowerCase(Locale.ROOT)) {
                    case "plaintext" -> plaintext = true;
                    case "active" -> active = true;
                    case "dictionary" -> dictionary = true;
                    case "anonymous" -> anonymous = true;
                    case "forward-secrecy" -> forwardSecrecy = true;
                    case "mutual-auth" -> mutualAuth = true;
                    case "private" -> {
                        return null;
                    }
                    default -> { } // unknown properties are ignored, as in Postfix
                }
            }
            return new Mechanism(fields[1], plaintext, active, dictionary, anonymous, forwardSecrecy, mutualAuth);
        }

        boolean passes(SaslSecurityOptions options) {
            return options.admits(plaintext, active, dictionary, anonymous, forwardSecrecy, mutualAuth);
        }
    }

    /** The shared connection: its handshake, then requests multiplexed by id. */
    private final class Connection {
        /** The server's mechanisms once the handshake is DONE; fails with a SaslUnavailableException. */
        final CompletableFuture<List<Mechanism>> ready = new CompletableFuture<>();
        final Map<Integer, Exchange> pending = new HashMap<>();
        private final List<Mechanism> mechanisms = new ArrayList<>();
        private boolean sawMech;
        private Channel channel;
        private ScheduledFuture<?> handshakeTimer;
        private int lastId;
        boolean lost;

        void open() {
            handshakeTimer = loop.schedule(this::handshakeTimedOut, timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (address instanceof InetSocketAddress inet && inet.isUnresolved()) {
                // Name resolution blocks: not on the event loop.
                CompletableFuture.supplyAsync(() -> {
                    try {
                        return (SocketAddress) new InetSocketAddress(InetAddress.getByName(inet.getHostString()), inet.getPort());
                    } catch (UnknownHostException e) {
                        throw new IllegalStateException("Host not found: " + inet.getHostString());
                    }
                }).whenComplete((resolved, error) -> inLoop(() -> {
                    if (error != null) connectFailed(error.getCause() != null ? error.getCause().getMessage() : error.toString());
                    else connect(resolved);
                }));
            } else {
                connect(address);
            }
        }

        private void connect(SocketAddress target) {
            if (lost) return;
            Bootstrap bootstrap = new Bootstrap().group(loop)
                    .channelFactory(transport.clientChannel(target))
                    .handler(new ChannelInitializer<Channel>() {
                        @Override protected void initChannel(Channel ch) {
                            ch.pipeline().addLast(
                                    new LineBasedFrameDecoder(MAX_LINE, true, false),
                                    new StringDecoder(StandardCharsets.UTF_8),
                                    new StringEncoder(StandardCharsets.UTF_8),
                                    new Handler());
                        }
                    });
            if (target instanceof InetSocketAddress) {
                bootstrap.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
            }
            ChannelFuture connected = bootstrap.connect(transport.clientAddress(target));
            channel = connected.channel();
            connected.addListener(f -> {
                if (!f.isSuccess()) {
                    connectFailed(SocketErrors.text(f.cause()));
                } else if (lost) {
                    channel.close();
                } else {
                    channel.writeAndFlush("VERSION\t" + MAJOR_VERSION + "\t" + MINOR_VERSION + "\n"
                            + "CPID\t" + ProcessHandle.current().pid() + "\n").addListener(w -> {
                                if (!w.isSuccess() && !lost) {
                                    String why = SocketErrors.text(w.cause());
                                    log.warn("warning: SASL: Couldn't send handshake: {}", why);
                                    lose("Couldn't send handshake to Dovecot auth socket '" + path + "': " + why, false);
                                }
                            });
                }
            });
        }

        private void connectFailed(String why) {
            if (lost) return;
            log.warn("warning: SASL: Connect to Dovecot auth socket '{}' failed: {}", path, why);
            lose("Connect to Dovecot auth socket '" + path + "' failed: " + why, false);
        }

        private void handshakeTimedOut() {
            if (lost || ready.isDone()) return;
            if (channel == null || !channel.isActive()) {
                connectFailed("Connection timed out");
            } else {
                log.warn("warning: SASL: Timed out in handshake with Dovecot auth socket '{}'", path);
                lose("Timed out in handshake with Dovecot auth socket '" + path + "'", false);
            }
        }

        /** A handshake line (Postfix's xsasl_dovecot_server_connect). */
        private void handshake(String[] fields) {
            switch (fields[0]) {
                case "VERSION" -> {
                    if (fields.length < 2) return;
                    int major;
                    try {
                        major = Integer.parseInt(fields[1]);
                        if (fields.length < 3) throw new NumberFormatException();
                        Integer.parseInt(fields[2]);
                    } catch (NumberFormatException e) {
                        log.warn("warning: SASL: Protocol version error");
                        lose("Protocol version error from Dovecot auth socket '" + path + "'", false);
                        return;
                    }
                    if (major != MAJOR_VERSION) {
                        log.warn("warning: SASL: Protocol version mismatch ({} vs. {})", major, MAJOR_VERSION);
                        lose("Protocol version mismatch (" + major + " vs. " + MAJOR_VERSION + ") with Dovecot auth socket '"
                                + path + "'", false);
                    }
                }
                case "MECH" -> {
                    if (fields.length < 2) return;
                    sawMech = true;
                    Mechanism m = Mechanism.parse(fields);
                    if (m != null) mechanisms.add(m);
                }
                case "SPID" -> {
                    // auth-master and auth-userdb send VERSION and SPID only; auth-client sends MECH first.
                    if (!sawMech) {
                        log.warn("warning: SASL: Connected to wrong auth socket (auth-master instead of auth-client)");
                        lose("Connected to wrong auth socket '" + path + "' (auth-master instead of auth-client)", false);
                    }
                }
                case "DONE" -> {
                    handshakeTimer.cancel(false);
                    ready.complete(List.copyOf(mechanisms));
                }
                default -> { } // CUID, COOKIE and whatever a later version adds
            }
        }

        /** A reply line after the handshake: OK, CONT or FAIL for one of our requests. */
        private void reply(String[] fields) {
            if (fields.length < 2) return;
            if (!fields[0].equals("OK") && !fields[0].equals("CONT") && !fields[0].equals("FAIL")) return;
            int id;
            try {
                id = Integer.parseInt(fields[1]);
            } catch (NumberFormatException e) {
                return;
            }
            Exchange exchange = pending.get(id);
            if (exchange != null) exchange.reply(fields);
            // else: a reply to an exchange that timed out or was aborted
        }

        /** A new request id, unique among this connection's outstanding requests (never 0). */
        int nextId() {
            do {
                lastId = lastId == Integer.MAX_VALUE ? 1 : lastId + 1;
            } while (pending.containsKey(lastId));
            return lastId;
        }

        void send(String line) {
            channel.writeAndFlush(line + "\n");
        }

        /**
         * Ends the connection: the handshake fails with {@code reason}, exchanges waiting for a
         * reply end with a TempFail {@code reason}, the next use connects again.
         */
        void lose(String reason, boolean logIt) {
            if (lost) return;
            lost = true;
            if (logIt) log.warn("warning: SASL: {}", reason);
            if (handshakeTimer != null) handshakeTimer.cancel(false);
            ready.completeExceptionally(new SaslUnavailableException(reason));
            List<Exchange> waiting = new ArrayList<>(pending.values());
            pending.clear();
            for (Exchange e : waiting) e.connectionLost(reason);
            if (channel != null) channel.close();
        }

        private final class Handler extends SimpleChannelInboundHandler<String> {
            @Override protected void channelRead0(ChannelHandlerContext ctx, String line) {
                if (lost) return;
                String[] fields = line.split("\t", -1);
                if (!ready.isDone()) handshake(fields);
                else reply(fields);
            }

            @Override public void channelInactive(ChannelHandlerContext ctx) {
                if (ready.isDone()) lose(LOST, false);
                else lose("Connection lost to Dovecot auth socket '" + path + "' during handshake", true);
            }

            @Override public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                if (!lost) log.warn("warning: SASL: error on Dovecot auth socket '{}': {}", path, SocketErrors.text(cause));
                lose(ready.isDone() ? LOST : "Connection lost to Dovecot auth socket '" + path + "' during handshake", false);
            }
        }
    }

    private enum State { NEW, WAITING, CHALLENGED, DONE }

    /** One exchange: its request id on the connection it started on. */
    private final class Exchange implements SaslExchange {
        private final SaslRequest request;
        private State state = State.NEW;
        private Connection conn;
        private int id;
        private CompletableFuture<SaslStep> current;
        private ScheduledFuture<?> timer;

        Exchange(SaslRequest request) {
            this.request = request;
        }

        @Override public CompletionStage<SaslStep> step(String base64Response) {
            CompletableFuture<SaslStep> result = new CompletableFuture<>();
            inLoop(() -> {
                switch (state) {
                    case NEW -> first(result, base64Response == null || base64Response.isEmpty() ? null : base64Response);
                    case CHALLENGED -> next(result, base64Response);
                    case WAITING -> result.completeExceptionally(new IllegalStateException("a SASL step is outstanding"));
                    case DONE -> result.completeExceptionally(new IllegalStateException("the SASL exchange has ended"));
                }
            });
            return result;
        }

        @Override public void abort() {
            inLoop(() -> {
                if (state == State.DONE) return;
                if (state == State.WAITING || state == State.CHALLENGED) cancelOnServer();
                finish(new SaslStep.Fail(ABORTED));
            });
        }

        /** Postfix's xsasl_dovecot_server_first. */
        private void first(CompletableFuture<SaslStep> result, String initialResponse) {
            current = result;
            state = State.WAITING;
            if (closed) {
                finish(new SaslStep.TempFail(CLOSED));
                return;
            }
            Connection c = connection();
            c.ready.whenComplete((mechanisms, error) -> {
                if (state != State.WAITING) return; // aborted meanwhile
                if (error != null) {
                    // The warning names the socket; the client is told only what Postfix tells it.
                    finish(new SaslStep.TempFail(CANT_CONNECT));
                    return;
                }
                Mechanism mechanism = null;
                for (Mechanism m : mechanisms) {
                    if (m.name().equalsIgnoreCase(request.mechanism()) && m.passes(request.options())) mechanism = m;
                }
                if (mechanism == null) {
                    finish(new SaslStep.Fail("Invalid authentication mechanism: '" + printable(request.mechanism()) + "'"));
                    return;
                }
                if (initialResponse != null && !isBase64(initialResponse)) {
                    finish(new SaslStep.Fail("Invalid base64 data in initial response"));
                    return;
                }
                if (c.lost) { // lost between DONE and now
                    finish(new SaslStep.TempFail(LOST));
                    return;
                }
                conn = c;
                id = c.nextId();
                c.pending.put(id, this);
                StringBuilder line = new StringBuilder("AUTH\t").append(id).append('\t').append(mechanism.name())
                        .append("\tservice=").append(tabEscape(request.service())).append("\tnologin");
                appendAddress(line, "lip", "lport", request.local());
                appendAddress(line, "rip", "rport", request.remote());
                if (request.secured()) line.append("\tsecured");
                if (initialResponse != null) line.append("\tresp=").append(initialResponse); // must be the last field
                c.send(line.toString());
                startTimer();
            });
        }

        /** Postfix's xsasl_dovecot_server_next. */
        private void next(CompletableFuture<SaslStep> result, String response) {
            current = result;
            state = State.WAITING;
            if (response == null || response.equals("*")) {
                cancelOnServer();
                finish(new SaslStep.Fail(ABORTED));
            } else if (!isBase64(response)) {
                cancelOnServer();
                finish(new SaslStep.Fail("Invalid base64 data in continued response"));
            } else if (conn.lost || conn.pending.get(id) != this) {
                finish(new SaslStep.TempFail(closed ? CLOSED : LOST));
            } else {
                conn.send("CONT\t" + id + "\t" + response);
                startTimer();
            }
        }

        private void startTimer() {
            timer = loop.schedule(() -> {
                if (state != State.WAITING) return;
                log.warn("warning: SASL: timeout waiting for a reply from Dovecot auth socket '{}'", path);
                cancelOnServer();
                finish(new SaslStep.TempFail(TIMED_OUT));
            }, timeout.toMillis(), TimeUnit.MILLISECONDS);
        }

        /** Tells the server to forget the request (Dovecot's CANCEL, since 2.0). */
        private void cancelOnServer() {
            if (conn != null && conn.pending.remove(id, this) && !conn.lost) conn.send("CANCEL\t" + id);
        }

        /** OK, CONT or FAIL for this request (Postfix's xsasl_dovecot_handle_reply). */
        void reply(String[] fields) {
            if (state != State.WAITING) return; // the server answered out of turn; ignore it
            switch (fields[0]) {
                case "OK" -> {
                    conn.pending.remove(id);
                    String user = value(fields, "user");
                    if (user == null) {
                        log.warn("warning: missing Dovecot server OK username field");
                        finish(new SaslStep.Fail(BACKEND_ERROR));
                    } else {
                        finish(new SaslStep.Ok(user));
                    }
                }
                case "CONT" -> {
                    if (fields.length < 3) {
                        log.warn("warning: missing Dovecot server CONT reply field");
                        cancelOnServer();
                        finish(new SaslStep.Fail(BACKEND_ERROR));
                    } else {
                        cancelTimer();
                        state = State.CHALLENGED;
                        CompletableFuture<SaslStep> done = current;
                        current = null;
                        done.complete(new SaslStep.Challenge(fields[2]));
                    }
                }
                default -> { // FAIL
                    conn.pending.remove(id);
                    String user = value(fields, "user");
                    String reason = value(fields, "reason");
                    boolean temp = has(fields, "temp") || "temp_fail".equals(value(fields, "code"));
                    reason = reason == null ? "" : reason;
                    finish(temp ? new SaslStep.TempFail(reason, user) : new SaslStep.Fail(reason, user));
                }
            }
        }

        void connectionLost(String reason) {
            if (state == State.WAITING) finish(new SaslStep.TempFail(reason));
            // CHALLENGED: the next step finds the connection lost
        }

        private void finish(SaslStep step) {
            cancelTimer();
            state = State.DONE;
            CompletableFuture<SaslStep> done = current;
            current = null;
            if (done != null) done.complete(step);
        }

        private void cancelTimer() {
            if (timer != null) {
                timer.cancel(false);
                timer = null;
            }
        }
    }

    private static void appendAddress(StringBuilder line, String ipKey, String portKey, InetSocketAddress address) {
        if (address == null || address.getAddress() == null) return;
        String ip = address.getAddress().getHostAddress();
        int scope = ip.indexOf('%');
        if (scope >= 0) ip = ip.substring(0, scope);
        line.append('\t').append(ipKey).append('=').append(ip);
        if (address.getPort() > 0) line.append('\t').append(portKey).append('=').append(address.getPort());
    }

    /** The value of optional field {@code key=} (tab-unescaped, non-printable characters as '?'), or null. */
    static String value(String[] fields, String key) {
        for (int i = 2; i < fields.length; i++) {
            String f = fields[i];
            if (f.length() > key.length() && f.charAt(key.length()) == '=' && f.startsWith(key)) {
                return printable(tabUnescape(f.substring(key.length() + 1)));
            }
        }
        return null;
    }

    private static boolean has(String[] fields, String flag) {
        for (int i = 2; i < fields.length; i++) if (fields[i].equals(flag)) return true;
        return false;
    }

    /** Postfix's is_valid_base64: only the base64 alphabet and '=' (this also keeps TAB and LF off the wire). */
    static boolean isBase64(String data) {
        for (int i = 0; i < data.length(); i++) {
            char c = data.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '+' || c == '/' || c == '=')) {
                return false;
            }
        }
        return true;
    }

    /** Control characters as '?', like Postfix's printable() for text that goes into logs and replies. */
    static String printable(String s) {
        StringBuilder sb = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isISOControl(c)) {
                if (sb == null) sb = new StringBuilder(s);
                sb.setCharAt(i, '?');
            }
        }
        return sb == null ? s : sb.toString();
    }

    /** Dovecot's tab-escaping: \001 escapes NUL, \001, TAB, CR and LF. */
    static String tabEscape(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\0' -> sb.append("\u00010");
                case '\u0001' -> sb.append("\u00011");
                case '\t' -> sb.append("\u0001t");
                case '\r' -> sb.append("\u0001r");
                case '\n' -> sb.append("\u0001n");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }

    static String tabUnescape(String s) {
        if (s.indexOf('\u0001') < 0) return s;
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\u0001' || i + 1 == s.length()) {
                sb.append(c);
                continue;
            }
            char e = s.charAt(++i);
            switch (e) {
                case '0' -> sb.append('\0');
                case '1' -> sb.append('\u0001');
                case 't' -> sb.append('\t');
                case 'r' -> sb.append('\r');
                case 'n' -> sb.append('\n');
                default -> sb.append(e);
            }
        }
        return sb.toString();
    }
}
