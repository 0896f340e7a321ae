package org.smarthost.protocol.smtpd;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.smarthost.protocol.smtpd.codec.SmtpServerDecoder;
import org.smarthost.protocol.smtpd.codec.SmtpdInput;
import org.smarthost.protocol.smtpd.restrictions.RestrictionContext;
import org.smarthost.protocol.smtpd.restrictions.RestrictionEngine;
import org.smarthost.protocol.sasl.SaslExchange;
import org.smarthost.protocol.sasl.SaslRequest;
import org.smarthost.protocol.sasl.SaslSecurityOptions;
import org.smarthost.protocol.sasl.SaslStep;
import org.smarthost.protocol.smtpd.restrictions.SmtpdTables;
import org.smarthost.protocol.tls.TlsSummary;

/**
 * One SMTP session: Postfix smtpd's command loop and state machine, fed by
 * {@link SmtpServerDecoder}. Replies are written as they are produced and flushed when the
 * decoder has consumed the input at hand, so pipelined commands get their replies in one
 * packet, as with Postfix. While something asynchronous runs (restrictions, commit, error
 * sleep) the decoder is paused, so later pipelined commands wait their turn.
 *
 * <p>Message content is subject to backpressure: when {@link Transaction#write} says the queue
 * cannot take more yet, reading stops (decoder paused, autoRead off once more arrives) until it can, so a client
 * faster than our disk waits in TCP flow control instead of filling the heap. Input that was
 * already read stays undecoded in the decoder and is decoded, in order, on resume. Neither kind
 * of wait is the client's fault: smtpd_timeout does not run out while we wait, and the client
 * gets a full smtpd_timeout again from the moment we read again.
 */
final class SmtpdSession extends ChannelInboundHandlerAdapter {

    private final Logger log;

    // Command flags, as in Postfix's smtpd_cmd_table.
    private static final int LIMIT = 1;   // counts against smtpd_junk_command_limit
    private static final int PRE_TLS = 2; // allowed before STARTTLS when TLS is enforced
    private static final int LAST = 4;    // RFC 2920: must be last in a pipelined group

    private record Cmd(String name, int flags) {
    }

    /** Postfix 3.7's table order, which is also the order of the disconnect statistics. */
    private static final List<Cmd> TABLE = List.of(
            new Cmd("HELO", LIMIT | PRE_TLS | LAST), new Cmd("EHLO", LIMIT | PRE_TLS | LAST),
            new Cmd("XCLIENT", PRE_TLS), new Cmd("XFORWARD", 0), new Cmd("STARTTLS", PRE_TLS), new Cmd("AUTH", 0),
            new Cmd("MAIL", 0), new Cmd("RCPT", 0), new Cmd("DATA", LAST), new Cmd("BDAT", 0), new Cmd("RSET", LIMIT),
            new Cmd("NOOP", LIMIT | PRE_TLS | LAST), new Cmd("VRFY", LIMIT | LAST), new Cmd("ETRN", LIMIT),
            new Cmd("QUIT", PRE_TLS));

    private static final String AFTER_DATA = "DATA content";
    private static final String AFTER_BDAT = "BDAT content";
    private static final String AFTER_EOM = "END-OF-MESSAGE";

    private final SmtpdSettings s;
    private final SmtpdTables tables;
    private final RestrictionEngine restrictions;
    private final MessageReceiver receiver;
    private final String serviceName;
    private final SmtpServer server;
    private final SmtpServerDecoder decoder;

    private ChannelHandlerContext ctx;
    private InetSocketAddress remote;
    private InetSocketAddress local;
    private String clientName;
    private String namaddr;
    private boolean bareLfRejectMode;
    private boolean bareLfNoteMode;
    private boolean notedBareLf;

    private String helo;
    private String protocol = "SMTP";
    private TlsSummary tls;            // set once the TLS handshake has completed
    private String saslUsername;       // set by a successful AUTH
    private String saslMethod;
    private SaslExchange authExchange; // an AUTH exchange waiting for the client's answer to "334"
    private String authMechanism;
    private MailFrom mailFrom;
    private Transaction tx;
    private int rcptCount;
    private int rcptOvershoot;

    private boolean inData;
    private boolean inBdat;          // a BDAT message is being received (between chunks too)
    private boolean bdatChunkActive; // the decoder is reading a chunk for us
    private boolean bdatError;
    private boolean bdatLast;
    private long bdatChunkSize;
    private SmtpReply bdatSkipReply;
    private long actSize;
    private boolean tooBig;

    private String where = "CONNECT";
    private String reason;
    private int errorCount;
    private int junkCmds;
    private boolean illPipelining;
    // The last accepted RCPT TO address: a rejected DATA logs it when it is the only one.
    private String lastRecipient;
    private boolean busy;              // waiting for a command's asynchronous result
    private CompletionStage<Void> receiverWait; // waiting until the transaction takes more content
    private boolean closing;
    private boolean shutdownRequested;
    private final Map<String, int[]> stats = new LinkedHashMap<>();

    SmtpdSession(SmtpdSettings settings, SmtpdTables tables, RestrictionEngine restrictions, MessageReceiver receiver,
                 String serviceName, SmtpServer server, SmtpServerDecoder decoder) {
        this.s = settings;
        this.log = LoggerFactory.getLogger(settings.logName());
        this.tables = tables;
        this.restrictions = restrictions;
        this.receiver = receiver;
        this.serviceName = serviceName;
        this.server = server;
        this.decoder = decoder;
        for (Cmd c : TABLE) stats.put(c.name(), new int[2]);
        stats.put("UNKNOWN", new int[2]);
    }

    // ---------------------------------------------------------------- lifecycle

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        remote = (InetSocketAddress) ctx.channel().remoteAddress();
        local = (InetSocketAddress) ctx.channel().localAddress();
        InetAddress addr = remote.getAddress();
        // Reverse lookups come later; Postfix would show the verified name here.
        clientName = addr.isLoopbackAddress() ? "localhost" : "unknown";
        namaddr = clientName + "[" + addr.getHostAddress() + "]";
        boolean excluded = tables.bareNewlineExclusions().matchesOrNot(addr);
        String mode = excluded ? "no" : s.checks().smtpdForbidBareNewline();
        decoder.requireStdEod(!mode.equals("no"));
        bareLfRejectMode = mode.equals("reject");
        bareLfNoteMode = mode.equals("note");
        log.info("connect from {}", namaddr);
        server.sessionOpened(this);
        if (s.tls().wrapperMode()) {
            if (s.tls().context() == null) {
                log.warn("warning: Wrapper-mode request dropped from {} for service {}. TLS context initialization failed."
                        + " For details see earlier warnings in your logs.", namaddr, serviceName);
                closing = true;
                reason = null;
                ctx.close();
                return;
            }
            where = "CONNECT";
            startTls(); // the greeting waits in the SslHandler until the handshake is done
        }
        reply(SmtpReply.of(220, "", s.identity().smtpdBanner()));
        ctx.flush();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (reason == null && !closing) reason = "lost connection";
        if (reason != null && where != null) {
            if (where.equals(AFTER_DATA)) {
                log.info("{} after DATA ({} bytes) from {}", reason, actSize, namaddr);
            } else if (where.equals(AFTER_BDAT)) {
                log.info("{} after BDAT ({} bytes) from {}", reason, actSize, namaddr);
            } else if (!where.equals(AFTER_EOM) || !reason.equals("lost connection")) {
                log.info("{} after {} from {}", reason, where, namaddr);
            }
        }
        abortTransaction();
        if (authExchange != null) authExchange.abort();
        log.info("disconnect from {}{}", namaddr, formatStats());
        server.sessionClosed(this);
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // An I/O error is a lost connection to Postfix; never put a stack trace on the wire.
        Throwable tlsError = cause instanceof io.netty.handler.codec.DecoderException d ? d.getCause() : cause;
        if (tlsError instanceof javax.net.ssl.SSLException || tlsError instanceof io.netty.handler.ssl.NotSslRecordException) {
            // A failed handshake is reported by handshakeDone; a broken record later on is Postfix's
            // "TLS library problem", after which the connection is lost.
            if (tls != null) log.warn("warning: TLS library problem: {}", tlsError.getMessage());
        } else if (!(cause instanceof java.io.IOException)) {
            log.warn("warning: {}: unexpected error: {}", namaddr, cause.toString());
        }
        ctx.close();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof SslHandshakeCompletionEvent done) {
            handshakeDone(done);
            return;
        }
        if (evt instanceof IdleStateEvent) {
            if (busy || receiverWait != null || closing) return; // waiting for us, not for the client
            reason = "timeout";
            replyAndClose(SmtpReply.of(421, "4.4.2", s.identity().myhostname() + " Error: timeout exceeded"));
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.flush();
        ctx.fireChannelReadComplete();
    }

    /** Graceful shutdown: idle sessions get 421 now, busy ones when their transaction ends. */
    void requestShutdown() {
        ctx.executor().execute(() -> {
            shutdownRequested = true;
            if (isIdle()) sendShutdown();
        });
    }

    /** The shutdown grace time is over: tell the client and hang up, whatever it was doing. */
    void forceShutdown() {
        ctx.executor().execute(() -> {
            if (closing) {
                ctx.close();
                return;
            }
            reason = null;
            replyAndClose(SmtpReply.of(421, "4.3.2", s.identity().myhostname() + " Service shutting down"));
        });
    }

    private boolean isIdle() {
        return !busy && !closing && mailFrom == null && !inData && !inBdat;
    }

    private void sendShutdown() {
        if (closing) return;
        reason = null;
        replyAndClose(SmtpReply.of(421, "4.3.2", s.identity().myhostname() + " Service shutting down"));
    }

    // ---------------------------------------------------------------- input

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (closing) return;
            if (msg instanceof SmtpdInput.Content c) {
                onContent(c.content());
                msg = null; // ownership passed on
            } else if (msg instanceof SmtpdInput.ContentEnd e) {
                onContentEnd(e.bareLfSeen());
            } else if (msg instanceof SmtpdInput.CommandLine l) {
                onCommandLine(l);
            } else if (msg instanceof SmtpdInput.CommandTooLong t && authExchange != null) {
                authResponse(null, true);
            } else if (msg instanceof SmtpdInput.CommandTooLong t) {
                log.warn("warning: {}: request longer than {}: {}...", namaddr, s.limits().lineLengthLimit(), printable(t.head()));
                reply(SmtpReply.of(500, "5.5.2", s.identity().myhostname() + " Error: command too long"));
            }
        } finally {
            if (msg != null) ReferenceCountUtil.release(msg);
        }
    }

    private void onCommandLine(SmtpdInput.CommandLine l) {
        if (authExchange != null) {
            String line = l.line().strip();
            authResponse(line, line.length() > s.sasl().responseLimit());
            return;
        }
        if (l.bareLf() && bareLfRejectMode) {
            logWhatsup("reject", "bare <LF> received");
            replyAndClose(SmtpReply.of(s.checks().smtpdForbidBareNewlineRejectCode(), "5.5.2",
                    s.identity().myhostname() + " Error: bare <LF> received"));
            return;
        }
        if (l.bareLf() && bareLfNoteMode) notedBareLf = true;
        if (l.badUtf8() && s.checks().smtputf8Enable()) {
            unknown(SmtpReply.of(500, "5.5.2", "Error: bad UTF-8 syntax"));
            return;
        }
        String line = l.line();
        String trimmed = line.strip();
        if (trimmed.isEmpty()) {
            unknown(SmtpReply.of(500, "5.5.2", "Error: bad syntax"));
            return;
        }
        int sp = indexOfBlank(trimmed);
        String verb = sp < 0 ? trimmed : trimmed.substring(0, sp);
        String args = sp < 0 ? "" : trimmed.substring(sp + 1).strip();
        String upper = verb.toUpperCase(Locale.ROOT);
        Cmd cmd = TABLE.stream().filter(c -> c.name().equals(upper)).findFirst().orElse(null);
        if (cmd == null) {
            where = "UNKNOWN";
            stats.get("UNKNOWN")[1]++;
            if (verb.matches("[!-9;-~]+:.*")) {
                log.warn("warning: non-SMTP command from {}: {}", namaddr, printable(line.length() > 100 ? line.substring(0, 100) : line));
                reason = null;
                replyAndClose(SmtpReply.of(221, "2.7.0", "Error: I can break rules, too. Goodbye."));
                return;
            }
            reply(SmtpReply.of(500, "5.5.2", "Error: command not recognized"));
            errorCount++;
            checkHardLimit();
            return;
        }
        stats.get(cmd.name())[1]++;
        if (s.tls().enforce() && tls == null && (cmd.flags() & PRE_TLS) == 0) {
            reply(530, "5.7.0", "Must issue a STARTTLS command first");
            errorCount++;
            checkHardLimit();
            return;
        }
        where = cmd.name();
        if ((!protocol.equals("ESMTP") || (cmd.flags() & LAST) != 0)
                && !illPipelining && decoder.pendingInput() > 0) {
            illPipelining = true;
            log.info("improper command pipelining after {} from {}: {}", where, namaddr,
                    escape(decoder.peekPending(100)));
            if (s.checks().smtpdForbidUnauthPipelining()) {
                reason = null;
                replyAndClose(SmtpReply.of(554, "5.5.0", "Error: SMTP protocol synchronization"));
                return;
            }
        }
        if (errorCount >= s.limits().smtpdSoftErrorLimit() && s.limits().smtpdErrorSleepTime().toMillis() > 0) {
            // smtpd_error_sleep_time: slow down clients that make many errors.
            CompletableFuture<Boolean> slept = new CompletableFuture<>();
            ctx.executor().schedule(() -> { slept.complete(true); }, s.limits().smtpdErrorSleepTime().toMillis(), TimeUnit.MILLISECONDS);
            await(slept, (v, e) -> execute(cmd, args));
            return;
        }
        execute(cmd, args);
    }

    private void execute(Cmd cmd, String args) {
        if (closing) return;
        CompletionStage<Boolean> result = switch (cmd.name()) {
            case "HELO" -> done(helo(args, false));
            case "EHLO" -> ehlo(args);
            case "MAIL" -> done(mail(args));
            case "RCPT" -> rcpt(args);
            case "DATA" -> data(args);
            case "BDAT" -> bdat(args);
            case "RSET" -> done(rset(args));
            case "NOOP" -> done(reply(250, "2.0.0", "Ok"));
            case "VRFY" -> done(vrfy(args));
            case "ETRN" -> done(etrn(args));
            case "QUIT" -> done(quit());
            case "STARTTLS" -> done(starttls(args));
            case "AUTH" -> auth(args);
            default -> done(fail(502, "5.5.1", "Error: command not implemented")); // XCLIENT, XFORWARD
        };
        if (result == null) return; // DATA/BDAT content follows; finished in onContentEnd
        await(result, (ok, e) -> {
            if (ok == null && e == null) return; // the same, after smtpd_data_restrictions
            finish(cmd, ok != null && ok);
        });
    }

    /** After a command: Postfix's error and junk accounting, then the hard error limit. */
    private void finish(Cmd cmd, boolean ok) {
        if (ok) stats.get(cmd.name())[0]++;
        else errorCount++;
        if ((cmd.flags() & LIMIT) != 0 && junkCmds++ > s.limits().smtpdJunkCommandLimit()) errorCount++;
        if (cmd.name().equals("QUIT")) return;
        checkHardLimit();
        if (shutdownRequested && isIdle()) sendShutdown();
    }

    private void checkHardLimit() {
        if (!closing && errorCount >= s.limits().smtpdHardErrorLimit()) {
            reason = "too many errors";
            replyAndClose(SmtpReply.of(421, "4.7.0", s.identity().myhostname() + " Error: too many errors"));
        }
    }

    private void unknown(SmtpReply r) {
        where = "UNKNOWN";
        stats.get("UNKNOWN")[1]++;
        reply(r);
        errorCount++;
        checkHardLimit();
    }

    // ---------------------------------------------------------------- commands

    /** EHLO, with the AUTH mechanisms when AUTH is on: asking the SASL server for them may take a moment. */
    private CompletionStage<Boolean> ehlo(String args) {
        if (args.isEmpty() || !saslActive() || discarded("AUTH") || tables.saslExceptions().matchesOrNot(remote.getAddress())) {
            return done(helo(args, true, null));
        }
        CompletionStage<List<String>> mechanisms = s.sasl().server().mechanisms(saslOptions())
                .exceptionally(e -> List.of()); // the SASL server logged why; EHLO goes on without AUTH
        return onEventLoop(mechanisms, m -> helo(args, true, m.isEmpty() ? null : String.join(" ", m)));
    }

    private boolean helo(String args, boolean ehlo) {
        return helo(args, ehlo, null);
    }

    /** @param authMechanisms the mechanisms to announce, or null for no AUTH */
    private boolean helo(String args, boolean ehlo, String authMechanisms) {
        if (args.isEmpty()) return fail(501, "", "Syntax: " + (ehlo ? "EHLO" : "HELO") + " hostname");
        abortTransaction();
        resetTransaction();
        helo = printable(args.replaceAll("[ \t]+", " "));
        protocol = ehlo ? "ESMTP" : "SMTP";
        if (!ehlo) {
            reply(SmtpReply.of(250, "", s.identity().myhostname()));
            return true;
        }
        List<String> lines = new ArrayList<>();
        lines.add(s.identity().myhostname());
        addKeyword(lines, "PIPELINING");
        addKeyword(lines, s.limits().messageSizeLimit() > 0 ? "SIZE " + s.limits().messageSizeLimit() : "SIZE");
        if (!s.checks().disableVrfyCommand()) addKeyword(lines, "VRFY");
        addKeyword(lines, "ETRN");
        if (s.tls().offer() && tls == null) addKeyword(lines, "STARTTLS");
        if (authMechanisms != null) {
            lines.add("AUTH " + authMechanisms);
            if (s.sasl().brokenClients()) lines.add("AUTH=" + authMechanisms);
        }
        addKeyword(lines, "ENHANCEDSTATUSCODES");
        addKeyword(lines, "8BITMIME");
        addKeyword(lines, "DSN");
        if (s.checks().smtputf8Enable()) addKeyword(lines, "SMTPUTF8");
        addKeyword(lines, "CHUNKING");
        reply(new SmtpReply(250, "", lines));
        return true;
    }

    private void addKeyword(List<String> lines, String keyword) {
        if (!discarded(keyword.split(" ")[0])) lines.add(keyword);
    }

    private boolean discarded(String keyword) {
        for (String d : s.checks().smtpdDiscardEhloKeywords())
            for (String k : d.split("[\\s,]+"))
                if (k.equalsIgnoreCase(keyword)) return true;
        return false;
    }

    private boolean mail(String args) {
        if (s.checks().smtpdHeloRequired() && helo == null) return fail(503, "5.5.1", "Error: send HELO/EHLO first");
        if (mailFrom != null) return fail(503, "5.5.1", "Error: nested MAIL command");
        if (inBdat) return fail(503, "5.5.1", "Error: MAIL after BDAT");
        var r = EnvelopeParser.mail(args, s.limits().messageSizeLimit(), s.checks().smtputf8Enable() && !discarded("SMTPUTF8"),
                !discarded("DSN"), s.checks().strictRfc821Envelopes(), receiver::validAddress);
        if (r instanceof EnvelopeParser.Error<MailFrom> e) return fail(illegal(e, "MAIL"));
        mailFrom = ((EnvelopeParser.Ok<MailFrom>) r).value();
        return reply(250, "2.1.0", "Ok");
    }

    private CompletionStage<Boolean> rcpt(String args) {
        if (mailFrom == null) return done(fail(503, "5.5.1", "Error: need MAIL command"));
        if (inBdat) return done(fail(503, "5.5.1", "Error: RCPT after BDAT"));
        var r = EnvelopeParser.rcpt(args, mailFrom.smtputf8(), !discarded("DSN"), s.checks().strictRfc821Envelopes(),
                receiver::validAddress);
        if (r instanceof EnvelopeParser.Error<RcptTo> e) return done(fail(illegal(e, "RCPT")));
        RcptTo rcpt = ((EnvelopeParser.Ok<RcptTo>) r).value();
        if (s.limits().smtpdRecipientLimit() > 0 && rcptCount >= s.limits().smtpdRecipientLimit()) {
            reply(452, "4.5.3", "Error: too many recipients");
            return done(rcptOvershoot++ < s.limits().smtpdRecipientOvershootLimit());
        }
        RestrictionContext rc = new RestrictionContext(remote.getAddress(), clientName, helo, mailFrom.address(),
                rcpt.address(), saslUsername, illPipelining, "", "", tables, rcptCount,
                (action, text) -> logCheck(action, text, rcpt.address()));
        return onEventLoop(restrictions.checkRecipient(rc), reject -> {
            if (closing) return false;
            if (reject != null) {
                logReject("RCPT", reject, rcpt.address());
                reply(reject);
                return false;
            }
            if (tx == null) {
                tx = receiver.open(sessionInfo(), mailFrom);
                if (saslUsername == null) log.info("{}: client={}", tx.queueId(), namaddr);
                else log.info("{}: client={}, sasl_method={}, sasl_username={}", tx.queueId(), namaddr, saslMethod, saslUsername);
            }
            tx.addRecipient(rcpt);
            rcptCount++;
            lastRecipient = rcpt.address();
            return reply(250, "2.1.5", "Ok");
        });
    }

    private CompletionStage<Boolean> data(String args) {
        if (inBdat) return done(fail(503, "5.5.1", "Error: DATA after BDAT"));
        if (rcptCount == 0) {
            if (mailFrom == null) return done(fail(503, "5.5.1", "Error: need RCPT command"));
            return done(fail(554, "5.5.1", "Error: no valid recipients"));
        }
        if (!args.isEmpty()) return done(fail(501, "5.5.4", "Syntax: DATA"));
        if (restrictions.checksData()) {
            return onEventLoop(restrictions.checkData(dataContext()), reject -> {
                if (closing) return false;
                if (reject != null) return rejectData("DATA", reject);
                startData();
                return null;
            });
        }
        startData();
        return null;
    }

    private void startData() {
        reply(354, "", "End data with <CR><LF>.<CR><LF>");
        where = AFTER_DATA;
        inData = true;
        actSize = 0;
        tooBig = false;
        decoder.startData();
    }

    private RestrictionContext dataContext() {
        return new RestrictionContext(remote.getAddress(), clientName, helo, mailFrom.address(),
                onlyRecipient(), saslUsername, illPipelining, "", "", tables, rcptCount,
                (action, text) -> logCheck(action, text, onlyRecipient()));
    }

    /** The transaction's recipient when it has exactly one: Postfix names it after DATA only then. */
    private String onlyRecipient() {
        return rcptCount == 1 ? lastRecipient : null;
    }

    private boolean rejectData(String command, SmtpReply reject) {
        logReject(command, reject, onlyRecipient());
        reply(reject);
        return false;
    }

    /** "QID: reject: RCPT|DATA|BDAT from client: reply; from=<..> [to=<..>] proto=.. helo=<..>". */
    private void logReject(String command, SmtpReply reject, String recipient) {
        log.info("{}: reject: {} from {}: {} {} {};{}", queueIdOrNoqueue(), command, namaddr, reject.code(),
                reject.enhanced(), String.join(" ", reject.lines()), whatsup(recipient));
    }

    private CompletionStage<Boolean> bdat(String args) {
        if (discarded("CHUNKING")) return done(fail(521, "5.5.1", "Error: command not implemented"));
        String[] a = args.isEmpty() ? new String[0] : args.split("[ \t]+");
        long size = -1;
        boolean last = false;
        if (a.length >= 1 && a.length <= 2 && a[0].matches("\\d{1,18}")) {
            size = Long.parseLong(a[0]);
            last = a.length == 2;
            if (last && !a[1].equalsIgnoreCase("LAST")) size = -1;
        }
        if (size < 0) {
            log.warn("warning: {}: malformed BDAT command syntax from {}: {}", queueIdOrNoqueue(), namaddr, printable("BDAT " + args));
            // The chunk length is unknown, so the rest of the input cannot be parsed: hang up.
            reason = null;
            replyAndClose(SmtpReply.of(521, "5.5.4", "Syntax: BDAT count [LAST]"));
            return done(false);
        }
        bdatChunkSize = size;
        bdatLast = last;
        if (size == 0 && !last) {
            log.warn("warning: {}: null BDAT request from {}", queueIdOrNoqueue(), namaddr);
            return skipBdat(size, last, SmtpReply.of(551, "5.7.1", "Null BDAT request"));
        }
        if (bdatError) return skipBdat(size, last, SmtpReply.of(551, "5.0.0", "Discarded " + size + " bytes after earlier error"));
        if (!inBdat) {
            if (rcptCount == 0) {
                return skipBdat(size, last, mailFrom == null
                        ? SmtpReply.of(503, "5.5.1", "Error: need RCPT command")
                        : SmtpReply.of(554, "5.5.1", "Error: no valid recipients"));
            }
            if (restrictions.checksData()) {
                long chunk = size;
                boolean lastChunk = last;
                return onEventLoop(restrictions.checkData(dataContext()), reject -> {
                    if (closing) return false;
                    // null either way: the chunk follows, and onContentEnd finishes the command
                    if (reject == null) {
                        acceptChunk(chunk, lastChunk);
                    } else {
                        logReject("BDAT", reject, onlyRecipient());
                        inBdat = true; // the transaction's later chunks: "Discarded ... after earlier error"
                        skipBdat(chunk, lastChunk, reject);
                    }
                    return null;
                });
            }
        }
        return acceptChunk(size, last);
    }

    /** The chunk is read into the message (the first one starts it). Content follows: null. */
    private CompletionStage<Boolean> acceptChunk(long size, boolean last) {
        if (s.limits().messageSizeLimit() > 0 && actSizeIfBdat() > s.limits().messageSizeLimit() - size) {
            log.warn("warning: {}: BDAT request from {} exceeds message size limit", queueIdOrNoqueue(), namaddr);
            return skipBdat(size, last, SmtpReply.of(552, "5.3.4", "Chunk exceeds message size limit"));
        }
        boolean first = !inBdat;
        if (first) {
            actSize = 0;
            tooBig = false;
        }
        inBdat = true;
        where = AFTER_BDAT;
        bdatSkipReply = null;
        bdatChunkActive = true;
        if (size == 0) {
            onContentEnd(false); // BDAT 0 LAST: nothing to read
        } else {
            decoder.startBdat(size, last, false, first);
        }
        return null;
    }

    private long actSizeIfBdat() {
        return inBdat ? actSize : 0;
    }

    /** Postfix's skip_bdat: read and discard the chunk, then reply. */
    private CompletionStage<Boolean> skipBdat(long size, boolean last, SmtpReply r) {
        bdatSkipReply = r;
        bdatChunkActive = true;
        if (size == 0) {
            onContentEnd(false);
        } else {
            decoder.startBdat(size, last, true, false);
        }
        return null;
    }

    private boolean rset(String args) {
        if (!args.isEmpty()) return fail(501, "5.5.4", "Syntax: RSET");
        abortTransaction();
        resetTransaction();
        return reply(250, "2.0.0", "Ok");
    }

    private boolean vrfy(String args) {
        if (s.checks().disableVrfyCommand()) return fail(502, "5.5.1", "VRFY command is disabled");
        String a = args;
        if (s.checks().smtputf8Enable() && a.toUpperCase(Locale.ROOT).endsWith(" SMTPUTF8")) a = a.substring(0, a.length() - 9).strip();
        if (a.isEmpty()) return fail(501, "5.5.4", "Syntax: VRFY address" + (s.checks().smtputf8Enable() ? " [SMTPUTF8]" : ""));
        String addr = EnvelopeParser.vrfyAddress(a);
        if (addr == null || addr.isEmpty() || !receiver.validAddress(addr)) {
            warnIllegal(a, "VRFY");
            return fail(501, "5.1.3", "Bad recipient address syntax");
        }
        return reply(252, "2.0.0", a);
    }

    private boolean etrn(String args) {
        // Postfix 3.7's ETRN reply carries no enhanced status code here either
        if (s.checks().smtpdHeloRequired() && helo == null) return fail(503, "", "Error: send HELO/EHLO first");
        if (mailFrom != null) return fail(503, "", "Error: MAIL transaction in progress");
        String[] a = args.isEmpty() ? new String[0] : args.split("[ \t]+");
        if (a.length != 1) return fail(500, "", "Syntax: ETRN domain");
        String site = a[0].startsWith("@") || a[0].startsWith("#") ? a[0].substring(1) : a[0];
        if (!site.matches("[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?|\\[[0-9A-Fa-f:.]+]"))
            return fail(501, "", "Error: invalid parameter syntax");
        // No fast flush service yet: every site is outside fast_flush_domains, as with Postfix's
        // default fast_flush_domains = $relay_domains when relay_domains is empty.
        log.warn("warning: reject: ETRN {}... from {}", site.length() > 100 ? site.substring(0, 100) : site, namaddr);
        return fail(459, "", "<" + site + ">: service unavailable");
    }

    /** Postfix's starttls_cmd: reply, drop pipelined plaintext, reset the session, hand over to TLS. */
    private boolean starttls(String args) {
        if (!args.isEmpty()) return fail(501, "5.5.4", "Syntax: STARTTLS");
        if (tls != null) return fail(554, "5.5.1", "Error: TLS already active");
        if (!s.tls().offer() || discarded("STARTTLS")) return fail(502, "5.5.1", "Error: command not implemented");
        if (s.tls().context() == null) return fail(454, "4.7.0", "TLS not available due to local problem");
        reply(220, "2.0.0", "Ready to start TLS");
        ctx.flush();
        // Anything the client sent after STARTTLS came in plaintext: it must not be taken as
        // commands of the TLS session (CVE-2011-0411), so it goes.
        decoder.discardPending();
        abortTransaction();
        resetTransaction();
        helo = null;
        saslUsername = null;
        saslMethod = null;
        startTls();
        return true;
    }

    /** Put TLS under the session: the SslHandler decrypts everything read from now on. */
    private void startTls() {
        if (s.tls().loglevel() >= 2) log.info("setting up TLS connection from {}", namaddr);
        SslHandler handler = s.tls().context().newHandler(ctx.alloc());
        handler.setHandshakeTimeoutMillis(s.tls().handshakeTimeout().toMillis());
        ctx.pipeline().addFirst("tls", handler);
    }

    private void handshakeDone(SslHandshakeCompletionEvent done) {
        if (done.isSuccess()) {
            tls = TlsSummary.of(ctx.pipeline().get(SslHandler.class).engine().getSession());
            if (s.tls().loglevel() >= 1) log.info("Anonymous TLS connection established from {}: {}", namaddr, tls.describe());
            return;
        }
        Throwable cause = done.cause();
        // A plain I/O error (the client went away, ClosedChannelException included) is not TLS's fault.
        if (cause instanceof java.io.IOException && !(cause instanceof javax.net.ssl.SSLException)) {
            log.info("SSL_accept error from {}: lost connection", namaddr);
        } else {
            log.info("SSL_accept error from {}: -1", namaddr);
            log.warn("warning: TLS library problem: {}", cause.getMessage());
        }
        // As in Postfix: the conversation is in an unknown state, so hang up without a reply.
        if (reason == null) reason = "lost connection";
        closing = true;
        ctx.close();
    }

    /** What the transaction records about this session, Received: details included. */
    private SessionInfo sessionInfo() {
        boolean esmtp = protocol.equals("ESMTP");
        String with = protocol + (esmtp && tls != null ? "S" : "") + (esmtp && saslUsername != null ? "A" : "");
        List<String> comments = new ArrayList<>(3);
        if (tls != null && s.tls().receivedHeader()) {
            comments.add("(using " + tls.describe() + ")");
            comments.add("(No client certificate requested)");
        }
        if (saslUsername != null && s.sasl().authenticatedHeader()) {
            comments.add("(Authenticated sender: " + commentSafe(saslUsername) + ")");
        }
        return new SessionInfo(clientName, remote, helo, protocol, saslUsername, serviceName, local, with, comments);
    }

    // ---------------------------------------------------------------- AUTH (RFC 4954)

    /** Postfix activates SASL for a session without TLS only when smtpd_tls_auth_only allows it. */
    private boolean saslActive() {
        return s.sasl().enabled() && (tls != null || !s.tls().authOnly());
    }

    private SaslSecurityOptions saslOptions() {
        return tls != null ? s.sasl().tlsOptions() : s.sasl().options();
    }

    /** Postfix's smtpd_sasl_auth_cmd. */
    private CompletionStage<Boolean> auth(String args) {
        if (s.checks().smtpdHeloRequired() && helo == null) return done(fail(503, "5.5.1", "Error: send HELO/EHLO first"));
        if (!saslActive() || discarded("AUTH")) return done(fail(503, "5.5.1", "Error: authentication not enabled"));
        if (mailFrom != null) return done(fail(503, "5.5.1", "Error: MAIL transaction in progress"));
        if (s.tls().authOnly() && tls == null) {
            return done(fail(504, "5.5.4", "Encryption required for requested authentication mechanism"));
        }
        if (saslUsername != null) return done(fail(503, "5.5.1", "Error: already authenticated"));
        String[] a = args.isEmpty() ? new String[0] : args.split("[ \t]+");
        if (a.length < 1 || a.length > 2) return done(fail(501, "5.5.4", "Syntax: AUTH mechanism"));
        authMechanism = a[0];
        SaslExchange exchange = s.sasl().server().begin(new SaslRequest(a[0], s.sasl().service(), local, remote,
                tls != null, saslOptions(), a.length == 2 ? a[1] : null));
        return authStep(exchange, exchange.step(a.length == 2 ? a[1] : null));
    }

    /**
     * The client's answer to a 334 challenge; the AUTH command finishes when the exchange does.
     *
     * @param tooLong the line was longer than smtpd_sasl_response_limit (and {@code line} may be null)
     */
    private void authResponse(String line, boolean tooLong) {
        SaslExchange exchange = authExchange;
        authExchange = null;
        decoder.lineLimit(s.limits().lineLengthLimit());
        if (tooLong) {
            exchange.abort();
            authDone(fail(500, "5.5.6", "SASL response limit exceeded"));
            return;
        }
        if (line.equals("*")) {
            exchange.abort();
            log.warn("warning: {}: SASL {} authentication aborted", namaddr, authMechanism);
            authDone(fail(501, "5.7.0", "Authentication aborted"));
            return;
        }
        await(authStep(exchange, exchange.step(line)), (ok, e) -> {
            if (ok == null && e == null) return; // another challenge
            authDone(ok != null && ok);
        });
    }

    private void authDone(boolean ok) {
        finish(TABLE.get(5), ok);
    }

    /**
     * What a step of the exchange ended with: true (235), false (535 or 454), or null when a 334
     * challenge went out and the client's answer comes next as a line of its own.
     */
    private CompletionStage<Boolean> authStep(SaslExchange exchange, CompletionStage<SaslStep> step) {
        CompletionStage<SaslStep> safe = step.exceptionally(e -> new SaslStep.TempFail(e.getMessage() == null ? "" : e.getMessage()));
        return onEventLoop(safe, result -> {
            if (closing) {
                exchange.abort();
                return false;
            }
            if (result instanceof SaslStep.Challenge c) {
                reply(SmtpReply.of(334, "", c.base64()));
                authExchange = exchange;
                // A response may be longer than a command: smtpd_sasl_response_limit decides.
                decoder.lineLimit(Math.max(s.limits().lineLengthLimit(), s.sasl().responseLimit()));
                return null;
            }
            if (result instanceof SaslStep.Ok ok) {
                saslUsername = printable(ok.username());
                saslMethod = printable(authMechanism);
                return reply(235, "2.7.0", "Authentication successful");
            }
            boolean temporary = result instanceof SaslStep.TempFail;
            String reason = result instanceof SaslStep.Fail f ? f.reason() : ((SaslStep.TempFail) result).reason();
            if (reason.isEmpty()) reason = "(reason unavailable)";
            log.warn("warning: {}: SASL {} authentication failed: {}", namaddr, printable(authMechanism), reason);
            return temporary ? fail(454, "4.7.0", "Temporary authentication failure: " + reason)
                    : fail(535, "5.7.8", "Error: authentication failed: " + reason);
        });
    }

    /** Postfix's comment_sanitize, for a name inside a Received: comment. */
    private static String commentSafe(String text) {
        StringBuilder b = new StringBuilder(text.length());
        int depth = 0;
        for (char c : text.toCharArray()) {
            if (c == '(') depth++;
            else if (c == ')') {
                if (depth == 0) continue;
                depth--;
            }
            if (c == '\\' || c < 0x20) continue;
            b.append(c);
        }
        for (; depth > 0; depth--) b.append(')');
        return b.toString();
    }

    private boolean quit() {
        reason = null;
        replyAndClose(SmtpReply.of(221, "2.0.0", "Bye"));
        return true;
    }

    // ---------------------------------------------------------------- message content

    private void onContent(ByteBuf chunk) {
        boolean writing = (inData || (inBdat && bdatSkipReply == null)) && tx != null && !tooBig;
        if (!writing) {
            chunk.release();
            return;
        }
        int n = chunk.readableBytes();
        if (s.limits().messageSizeLimit() > 0 && actSize + n > s.limits().messageSizeLimit()) {
            tooBig = true;
            actSize += n;
            log.warn("warning: {}: queue file size limit exceeded", queueIdOrNoqueue());
            chunk.release();
            return;
        }
        actSize += n;
        CompletionStage<Void> ready = tx.write(chunk);
        if (ready == null || ready.toCompletableFuture().isDone()) return;
        // The queue is behind: stop reading until it catches up. The decoder hands on at most
        // one content piece per decode step, so this takes effect before the next piece.
        receiverWait = ready;
        pauseInput();
        ready.whenComplete((v, e) -> ctx.executor().execute(() -> {
            if (receiverWait != ready) return; // the transaction ended meanwhile
            receiverWait = null;
            resumeInput();
        }));
    }

    /** The content is over (or thrown away): a pending write-readiness wait no longer matters. */
    private void endReceiverWait() {
        if (receiverWait == null) return;
        receiverWait = null;
        // Resume later, from the event loop, not from inside the decoder that is calling us.
        ctx.executor().execute(this::resumeInput);
    }

    private void onContentEnd(boolean bareLfSeen) {
        if (bareLfSeen && bareLfNoteMode) notedBareLf = true;
        if (inData) {
            inData = false;
            where = AFTER_EOM;
            finishMessage(bareLfSeen, false, TABLE.get(8));
            return;
        }
        if (!bdatChunkActive) return;
        bdatChunkActive = false;
        Cmd bdatCmd = TABLE.get(9);
        if (bdatSkipReply != null) {
            SmtpReply r = bdatSkipReply;
            bdatSkipReply = null;
            if (bdatLast) {
                abortTransaction();
                resetTransaction();
            } else if (inBdat) {
                bdatError = true;
            }
            reply(r);
            finish(bdatCmd, false);
            return;
        }
        if (bdatLast) {
            where = AFTER_EOM;
            finishMessage(bareLfSeen, true, bdatCmd);
        } else {
            reply(250, "2.0.0", "Ok: " + bdatChunkSize + " bytes");
            finish(bdatCmd, true);
        }
    }

    /** Postfix's common_post_message_handling. */
    private void finishMessage(boolean bareLfSeen, boolean bdat, Cmd cmd) {
        if (tooBig) {
            abortTransaction();
            resetTransaction();
            reply(552, "5.3.4", "Error: message file too big");
            finish(cmd, false);
            return;
        }
        if (bareLfSeen && bareLfRejectMode) {
            logWhatsup("reject", "bare <LF> received");
            abortTransaction();
            resetTransaction();
            reply(SmtpReply.of(s.checks().smtpdForbidBareNewlineRejectCode(), "5.5.2", s.identity().myhostname() + " Error: bare <LF> received"));
            finish(cmd, false);
            return;
        }
        endReceiverWait();
        Transaction t = tx;
        tx = null; // from here on the transaction belongs to commit
        long size = actSize;
        CompletionStage<SmtpReply> commit;
        try {
            commit = t.commit();
        } catch (RuntimeException e) {
            commit = CompletableFuture.failedFuture(e);
        }
        resetTransaction();
        // The reply is written from the event loop (await's callback), never from the thread that
        // completes the commit: a write from another thread is queued as a task, and if the commit
        // completed before await() looked, nothing would flush it (a lost 250).
        await(commit, (r, e) -> {
            if (e != null || r == null) {
                log.warn("warning: {}: queue file write error: {}", t.queueId(), e == null ? "no reply" : e.toString());
                r = SmtpReply.of(451, "4.3.0", "Error: queue file write error");
            }
            if (closing) {
                finish(cmd, false);
                return;
            }
            if (r.isPositive()) {
                errorCount = 0;
                junkCmds = 0;
                if (bdat) r = SmtpReply.of(250, "2.0.0", "Ok: " + size + " bytes queued as " + t.queueId());
            }
            reply(r);
            finish(cmd, r.isPositive());
        });
    }

    // ---------------------------------------------------------------- helpers

    /**
     * Run {@code then} on the event loop once {@code stage} completes. If it is not complete
     * yet, stop decoding (and reading) until then, so pipelined input waits its turn.
     */
    private <T> void await(CompletionStage<T> stage, BiConsumer<T, Throwable> then) {
        CompletableFuture<T> f = stage.toCompletableFuture();
        if (f.isDone()) {
            T v = null;
            Throwable err = null;
            try {
                v = f.join();
            } catch (RuntimeException e) {
                err = e;
            }
            then.accept(v, err);
            return;
        }
        busy = true;
        pauseInput();
        f.whenComplete((v, e) -> ctx.executor().execute(() -> {
            busy = false;
            then.accept(v, e);
            ctx.flush();
            resumeInput();
        }));
    }

    /**
     * Stop decoding; the decoder stops reading as soon as more input arrives, so that unread
     * input stays in the kernel, not the heap.
     */
    private void pauseInput() {
        decoder.pause();
    }

    /**
     * Read and decode again unless something still waits (a command result or the queue).
     * Called from the event loop, never from inside the decoder. The read timer restarts, so
     * the time we made the client wait does not count against its smtpd_timeout.
     */
    private void resumeInput() {
        if (busy || receiverWait != null || closing || !ctx.channel().isActive() || !decoder.isPaused()) return;
        IdleStateHandler timer = ctx.pipeline().get(IdleStateHandler.class);
        if (timer != null) timer.resetReadTimeout();
        ctx.channel().config().setAutoRead(true);
        try {
            decoder.resume();
        } catch (Exception ex) {
            ctx.fireExceptionCaught(ex);
        }
        ctx.flush();
    }

    /**
     * Applies {@code then} to the stage's result on this session's event loop: at once when the
     * result is there (synchronous restrictions, the common case), else as a task on the loop.
     * Session state and replies must never be touched from the thread that completed the stage.
     */
    private <T, R> CompletionStage<R> onEventLoop(CompletionStage<T> stage, java.util.function.Function<T, R> then) {
        CompletableFuture<T> f = stage.toCompletableFuture();
        if (!f.isDone()) return f.thenApplyAsync(then, ctx.executor());
        try {
            return CompletableFuture.completedFuture(then.apply(f.join()));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private static CompletionStage<Boolean> done(boolean ok) {
        return CompletableFuture.completedFuture(ok);
    }

    private boolean reply(int code, String enhanced, String text) {
        reply(SmtpReply.of(code, enhanced, text));
        return true;
    }

    private void reply(SmtpReply r) {
        if (!closing) ctx.write(r);
    }

    private boolean fail(int code, String enhanced, String text) {
        reply(SmtpReply.of(code, enhanced, text));
        return false;
    }

    private boolean fail(SmtpReply r) {
        reply(r);
        return false;
    }

    private void replyAndClose(SmtpReply r) {
        if (closing) return;
        ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
        closing = true;
        decoder.pause();
    }

    private void abortTransaction() {
        endReceiverWait();
        if (tx != null) {
            Transaction t = tx;
            tx = null;
            try {
                t.abort();
            } catch (RuntimeException e) {
                log.warn("warning: {}: abort failed: {}", t.queueId(), e.toString());
            }
        }
    }

    private void resetTransaction() {
        mailFrom = null;
        rcptCount = 0;
        rcptOvershoot = 0;
        inBdat = false;
        bdatError = false;
        inData = false;
    }

    private String queueIdOrNoqueue() {
        return tx != null ? tx.queueId() : "NOQUEUE";
    }

    private String whatsup(String recipient) {
        StringBuilder b = new StringBuilder();
        if (mailFrom != null) b.append(" from=<").append(mailFrom.address()).append('>');
        if (recipient != null) b.append(" to=<").append(recipient).append('>');
        b.append(" proto=").append(protocol);
        if (helo != null) b.append(" helo=<").append(helo).append('>');
        return b.toString();
    }

    /** A restriction's "warn:"/"info:" line, with the envelope as Postfix's log_whatsup gives it. */
    private void logCheck(String action, String text, String recipient) {
        log.info("{}: {}: {} from {}: {};{}", queueIdOrNoqueue(), action, where, namaddr, text, whatsup(recipient));
    }

    private void logWhatsup(String action, String text) {
        log.info("{}: {}: {} from {}: {};{}", queueIdOrNoqueue(), action, where, namaddr, text, whatsup(null));
    }

    private String formatStats() {
        StringBuilder b = new StringBuilder();
        int ok = 0, total = 0;
        for (var e : stats.entrySet()) {
            int[] v = e.getValue();
            if (v[1] == 0) continue;
            b.append(' ').append(e.getKey().toLowerCase(Locale.ROOT)).append('=').append(v[0]);
            if (v[0] != v[1]) b.append('/').append(v[1]);
            ok += v[0];
            total += v[1];
        }
        b.append(" commands=").append(ok);
        if (ok != total || total == 0) b.append('/').append(total);
        if (notedBareLf) b.append(" notes=bare_lf");
        return b.toString();
    }

    private static int indexOfBlank(String s) {
        for (int i = 0; i < s.length(); i++) if (s.charAt(i) == ' ' || s.charAt(i) == '\t') return i;
        return -1;
    }

    /** Postfix's smtpd warns of every address whose syntax it rejects, with the address as sent. */
    private SmtpReply illegal(EnvelopeParser.Error<?> e, String command) {
        if (e.illegalAddress() != null) warnIllegal(e.illegalAddress(), command);
        return e.reply();
    }

    private void warnIllegal(String address, String command) {
        log.warn("warning: Illegal address syntax from {} in {} command: {}", namaddr, command, printable(address));
    }

    private static String printable(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            b.append(c < 0x20 || c == 0x7f ? '?' : c);
        }
        return b.toString();
    }

    /** Postfix's escape(): C-style escapes for the pipelining log. */
    private static String escape(byte[] bytes) {
        StringBuilder b = new StringBuilder();
        for (byte x : bytes) {
            int c = x & 0xff;
            switch (c) {
                case '\r' -> b.append("\\r");
                case '\n' -> b.append("\\n");
                case '\t' -> b.append("\\t");
                case '\\' -> b.append("\\\\");
                default -> {
                    if (c < 0x20 || c >= 0x7f) b.append(String.format("\\%03o", c));
                    else b.append((char) c);
                }
            }
        }
        return new String(b.toString().getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
    }
}
