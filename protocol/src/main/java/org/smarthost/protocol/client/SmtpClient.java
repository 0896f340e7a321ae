package org.smarthost.protocol.client;

import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.smarthost.protocol.dns.DnsFailure;
import org.smarthost.protocol.dns.MxResolver;
import org.smarthost.protocol.dns.ServerAddress;
import org.smarthost.protocol.io.NettyTransport;
import org.smarthost.protocol.io.SocketErrors;

/**
 * The smtp(8)/lmtp(8) delivery engine: resolves the nexthop, tries its servers in order (next
 * address on connection failure, 4xx greeting or other soft session errors, up to
 * {@code smtp_mx_session_limit} completed handshakes), runs the mail transaction and returns a
 * per-recipient result. Sessions are reused between deliveries to the same nexthop when the
 * queue manager reports a backlog ({@code smtp_connection_cache_on_demand}) or the nexthop is in
 * {@code smtp_connection_cache_destinations}. Non-blocking: the result is a future completed from
 * Netty's event loop; only the body InputStream is read there, chunk by chunk.
 */
public final class SmtpClient implements AutoCloseable {

    private final SmtpClientSettings settings;
    private final MxResolver resolver;
    private final NettyTransport transport;
    private final EventLoopGroup group;
    private final boolean ownsGroup;
    private final StartTlsHook tls;
    private final ClientSasl sasl;
    private final ConnectionCache cache = new ConnectionCache();
    private final Logger log;

    /** A client on a shared {@code group}, whose event loops must be of {@code transport}. */
    public SmtpClient(SmtpClientSettings settings, MxResolver resolver, NettyTransport transport, EventLoopGroup group,
                      StartTlsHook tls) {
        this(settings, resolver, transport, group, false, tls, ClientSasl.NONE);
    }

    /** A client on a shared {@code group} with STARTTLS and SMTP AUTH. */
    public SmtpClient(SmtpClientSettings settings, MxResolver resolver, NettyTransport transport, EventLoopGroup group,
                      StartTlsHook tls, ClientSasl sasl) {
        this(settings, resolver, transport, group, false, tls, sasl);
    }

    private SmtpClient(SmtpClientSettings settings, MxResolver resolver, NettyTransport transport, EventLoopGroup group,
                       boolean ownsGroup, StartTlsHook tls, ClientSasl sasl) {
        this.settings = settings;
        this.resolver = resolver;
        this.transport = transport;
        this.group = group;
        this.ownsGroup = ownsGroup;
        this.tls = tls;
        this.sasl = sasl;
        this.log = LoggerFactory.getLogger(settings.lmtp() ? "postfix/lmtp" : "postfix/smtp");
    }

    /** A client with its own event loop group of the best transport, closed by {@link #close()}. */
    public static SmtpClient create(SmtpClientSettings settings, MxResolver resolver) {
        return create(settings, resolver, StartTlsHook.NONE, ClientSasl.NONE);
    }

    /** The same, with STARTTLS and SMTP AUTH. */
    public static SmtpClient create(SmtpClientSettings settings, MxResolver resolver, StartTlsHook tls, ClientSasl sasl) {
        NettyTransport transport = NettyTransport.best();
        EventLoopGroup group = transport.newGroup(2, new DefaultThreadFactory(settings.lmtp() ? "lmtp" : "smtp", true));
        return new SmtpClient(settings, resolver, transport, group, true, tls, sasl);
    }

    public SmtpClientSettings settings() { return settings; }

    /** Idle sessions currently cached (for tests and metrics). */
    public int cachedSessions() { return cache.size(); }

    /** Delivers; never completes exceptionally: every failure is a recipient outcome. */
    public CompletableFuture<DeliveryResult> deliver(DeliveryRequest request) {
        return new Attempt(request).run();
    }

    @Override public void close() {
        cache.closeAll();
        if (ownsGroup) group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** A server to try, and the nexthop (as written) it came from: a SASL password lookup key. */
    private record Target(Relay relay, SocketAddress address, String dest) { }

    /** The state of one delivery request while it moves across servers. */
    private final class Attempt {
        private final DeliveryRequest request;
        private final long start = System.nanoTime();
        private List<Recipient> pending;
        private final Map<String, RecipientResult> done = new LinkedHashMap<>();
        private final Map<String, RecipientResult> lastSoft = new LinkedHashMap<>();
        private SessionFailure lastFailure;
        private Relay lastFailureRelay = Relay.NONE;
        private Relay relay = Relay.NONE;
        private long readyAt = -1;
        private int sessions;
        private boolean plaintextRetried; // a session after optional TLS failed: never cached

        Attempt(DeliveryRequest request) {
            this.request = request;
            this.pending = new ArrayList<>(request.recipients());
        }

        CompletableFuture<DeliveryResult> run() {
            List<Nexthop> nexthops;
            List<String> dests = NexthopParser.split(request.nexthop());
            try {
                nexthops = NexthopParser.parseList(request.nexthop(), settings.lmtp(), settings.defaultPort());
            } catch (IllegalArgumentException e) {
                lastFailure = new SessionFailure("4.3.5", "server configuration error: " + e.getMessage(), null);
                return CompletableFuture.completedFuture(result());
            }
            String key = cacheKey(nexthops) + sasl.cacheKey(request.sender());
            return tryCached(key)
                    .thenCompose(finished -> finished ? CompletableFuture.<Void>completedFuture(null)
                            : resolve(nexthops, dests).thenCompose(targets -> tryTargets(key, targets, 0, tls)))
                    .handle((ok, error) -> {
                        if (error != null) {
                            log.warn("warning: unexpected error in delivery to {}: {}", request.nexthop(), error.toString());
                            if (lastFailure == null) lastFailure = new SessionFailure("4.3.0", "internal error", null);
                        }
                        return result();
                    });
        }

        /**
         * A cached session, probed with RSET as Postfix does before reusing one: in the mail
         * transaction's pipelined group when the server offers PIPELINING, on its own otherwise.
         * Completes with false when there was no usable session.
         */
        private CompletableFuture<Boolean> tryCached(String key) {
            SmtpSession session = cache.take(key);
            if (session == null) return CompletableFuture.completedFuture(false);
            boolean probeInGroup = session.connection().features().pipelining();
            CompletableFuture<Boolean> probed = probeInGroup ? CompletableFuture.completedFuture(true) : session.reset();
            return probed.thenCompose(ok -> {
                if (!ok) {
                    session.connection().close();
                    return CompletableFuture.completedFuture(false);
                }
                boolean last = settings.mxSessionLimit() > 0 && sessions + 1 >= settings.mxSessionLimit();
                return transaction(key, session, last, probeInGroup).thenApply(used -> {
                    if (!used) return false;
                    sessions++;
                    return pending.isEmpty() || last;
                });
            });
        }

        private CompletableFuture<List<Target>> resolve(List<Nexthop> nexthops, List<String> dests) {
            List<CompletableFuture<List<Target>>> lookups = new ArrayList<>();
            for (int n = 0; n < nexthops.size(); n++) lookups.add(targets(nexthops.get(n), dest(dests.get(n))));
            return CompletableFuture.allOf(lookups.toArray(CompletableFuture[]::new)).handle((v, e) -> {
                List<Target> all = new ArrayList<>();
                SessionFailure firstTransient = null, firstPermanent = null;
                for (CompletableFuture<List<Target>> lookup : lookups) {
                    try {
                        all.addAll(lookup.join());
                    } catch (RuntimeException error) {
                        Throwable cause = SmtpSession.unwrap(error);
                        SessionFailure f = cause instanceof DnsFailure dns
                                ? new SessionFailure(dns.dsn(), dns.reason(), null)
                                : new SessionFailure("4.4.3", "Host or domain name not found: " + cause, null);
                        if (f.isSoft() && firstTransient == null) firstTransient = f;
                        if (!f.isSoft() && firstPermanent == null) firstPermanent = f;
                    }
                }
                if (all.isEmpty()) lastFailure = firstTransient != null ? firstTransient : firstPermanent;
                return all;
            });
        }

        private CompletableFuture<List<Target>> targets(Nexthop nexthop, String dest) {
            if (nexthop instanceof Nexthop.Unix unix) {
                return CompletableFuture.completedFuture(List.of(new Target(
                        new Relay(settings.myHostname(), unix.path(), -1), UnixDomainSocketAddress.of(unix.path()),
                        unix.path())));
            }
            Nexthop.Inet inet = (Nexthop.Inet) nexthop;
            CompletableFuture<List<ServerAddress>> servers = inet.mxLookup()
                    ? resolver.resolveMx(inet.host(), inet.port())
                    : resolver.resolveHost(inet.host(), inet.port());
            return servers.thenApply(list -> {
                List<Target> targets = new ArrayList<>();
                for (ServerAddress s : list) {
                    targets.add(new Target(new Relay(s.hostname(), s.addressText(), s.port()),
                            new InetSocketAddress(s.address(), s.port()), dest));
                }
                return targets;
            });
        }

        /** @param hook STARTTLS for this server: the client's, or none for Postfix's plaintext retry */
        private CompletableFuture<Void> tryTargets(String key, List<Target> targets, int i, StartTlsHook hook) {
            int limit = settings.mxSessionLimit();
            if (pending.isEmpty() || i >= targets.size() || limit > 0 && sessions >= limit) {
                return CompletableFuture.completedFuture(null);
            }
            Target target = targets.get(i);
            return SmtpConnection.connect(transport, group, target.address(), target.relay(), settings.connectTimeout())
                    .handle((connection, error) -> {
                        if (error != null) {
                            String why = SocketErrors.text(SmtpSession.unwrap(error));
                            lastFailure = new SessionFailure("4.4.1", PostfixText.connectFailed(target.relay(), why), null);
                            lastFailureRelay = Relay.NONE;
                            log.info("{}", lastFailure.text());
                            return tryTargets(key, targets, i + 1, tls);
                        }
                        return session(key, new SmtpSession(connection, settings), targets, i, hook);
                    })
                    .thenCompose(next -> next);
        }

        private CompletableFuture<Void> session(String key, SmtpSession session, List<Target> targets, int i,
                                                StartTlsHook hook) {
            relay = session.relay();
            Target target = targets.get(i);
            return session.open(hook, sasl, request.sender(), target.dest()).handle((ok, error) -> {
                if (error != null) {
                    SessionFailure failure = session.ioFailure(error, "performing the EHLO handshake");
                    session.quit();
                    if (failure.optionalTls() && request.plaintextFallback() && !plaintextRetried
                            && !sasl.hasCredentials(request.sender(), target.relay().hostname(), target.dest())) {
                        // Postfix's RETRY_AS_PLAINTEXT: the same server again, at once, without
                        // TLS, and without counting against smtp_mx_session_limit.
                        plaintextRetried = true;
                        return tryTargets(key, targets, i, StartTlsHook.NONE);
                    }
                    lastFailure = failure;
                    lastFailureRelay = session.relay();
                    if (!failure.isSoft()) {
                        bounceAll(failure, session.relay());
                        return CompletableFuture.<Void>completedFuture(null);
                    }
                    log.info("{}", failure.text());
                    return tryTargets(key, targets, i + 1, tls);
                }
                sessions++;
                int limit = settings.mxSessionLimit();
                boolean last = i == targets.size() - 1 || limit > 0 && sessions >= limit;
                return transaction(key, session, last, false).thenCompose(v -> tryTargets(key, targets, i + 1, tls));
            }).thenCompose(next -> next);
        }

        /** Completes with false when a cached session failed its probe and nothing was done. */
        private CompletableFuture<Boolean> transaction(String key, SmtpSession session, boolean lastServer,
                                                       boolean probe) {
            relay = session.relay();
            readyAt = System.nanoTime();
            SmtpTransaction tx = new SmtpTransaction(session, settings, request, pending, probe);
            return tx.run().handle((ok, error) -> {
                if (error == null && tx.stale()) return false;
                List<RecipientResult> results = error == null ? tx.results()
                        : tx.finish(session.ioFailure(error, "sending message body"));
                List<Recipient> kept = new ArrayList<>();
                for (int k = 0; k < results.size(); k++) {
                    RecipientResult r = results.get(k);
                    // A soft failure on a non-final server leaves the recipient for the next one.
                    if (r.outcome() == Outcome.DEFERRED && !lastServer) {
                        kept.add(pending.get(k));
                        lastSoft.put(r.address(), r);
                    } else {
                        done.put(r.address(), r);
                    }
                }
                pending = kept;
                release(key, session, error == null && tx.endedClean());
                return true;
            });
        }

        private void release(String key, SmtpSession session, boolean reusable) {
            SmtpConnection c = session.connection();
            boolean wanted = settings.connectionCacheOnDemand() && request.moreMailPending()
                    || settings.connectionCacheDestinations().contains(request.nexthop());
            boolean withinLimits = c.age().compareTo(settings.connectionReuseTimeLimit()) < 0
                    && (settings.connectionReuseCountLimit() == 0 || c.transactions() < settings.connectionReuseCountLimit());
            // A plaintext retry's session must not serve later deliveries, which try TLS first.
            if (reusable && pending.isEmpty() && wanted && withinLimits && c.isOpen() && !plaintextRetried) {
                cache.put(key, session, settings.connectionCacheTimeLimit());
            } else if (c.isOpen()) {
                session.quit();
            } else {
                c.close();
            }
        }

        private void bounceAll(SessionFailure failure, Relay at) {
            for (Recipient r : pending) {
                done.put(r.address(), new RecipientResult(r.address(), Outcome.BOUNCED, failure.dsn(),
                        failure.text(), failure.remoteReply(), at));
            }
            pending = List.of();
        }

        private DeliveryResult result() {
            long end = System.nanoTime();
            List<RecipientResult> list = new ArrayList<>();
            for (Recipient r : request.recipients()) {
                RecipientResult result = done.get(r.address());
                if (result == null) result = lastSoft.get(r.address());
                if (result == null) {
                    SessionFailure f = lastFailure != null ? lastFailure
                            : new SessionFailure("4.4.1", "no server available", null);
                    result = new RecipientResult(r.address(), f.isSoft() ? Outcome.DEFERRED : Outcome.BOUNCED,
                            f.dsn(), f.text(), f.remoteReply(), lastFailure != null ? lastFailureRelay : Relay.NONE);
                }
                list.add(result);
            }
            long ready = readyAt < 0 ? end : readyAt;
            return new DeliveryResult(list, relay, Duration.ofNanos(ready - start), Duration.ofNanos(end - ready),
                    lastFailure != null && lastFailure.optionalTls());
        }
    }

    /** Postfix's iter->dest: the nexthop as written ("inet:" dropped for LMTP, "unix:" too). */
    private static String dest(String word) {
        String lower = word.toLowerCase(java.util.Locale.ROOT);
        return lower.startsWith("inet:") || lower.startsWith("unix:") ? word.substring(5) : word;
    }

    private String cacheKey(List<Nexthop> nexthops) {
        return settings.protocolName() + ":" + nexthops;
    }
}
