package org.smarthost.protocol.client;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;

/**
 * One mail transaction (MAIL, RCPT..., DATA, content) on an open session, recording a result per
 * recipient as replies arrive. With PIPELINING (RFC 2920) MAIL, all RCPTs and DATA go out in one
 * write; otherwise command by command. With LMTP (RFC 2033) each accepted recipient gets its own
 * reply after the end of DATA. If the session breaks, {@link #finish(SessionFailure)} gives the
 * failure to every recipient still without a result, and results already received stay.
 *
 * <p>On a cached session to a PIPELINING server the RSET that probes whether the session is still
 * good (as Postfix's smtp(8) does before reusing one) leads the same group: one round trip
 * instead of two. A probe that gets no 2xx leaves the transaction {@link #stale()}: the session is
 * closed and, since no reply to anything after the RSET was taken, nothing of the transaction
 * counts; the caller delivers over a new connection.
 */
final class SmtpTransaction {

    private final SmtpSession session;
    private final SmtpClientSettings settings;
    private final DeliveryRequest request;
    private final List<Recipient> recipients;
    private final RecipientResult[] results;
    private final boolean probe;
    private boolean clean;
    private boolean stale;

    /**
     * @param probe the session comes from the cache and has not been probed: RSET goes first in
     *              the pipelined group (callers probe servers without PIPELINING themselves)
     */
    SmtpTransaction(SmtpSession session, SmtpClientSettings settings, DeliveryRequest request, List<Recipient> recipients,
                    boolean probe) {
        this.session = session;
        this.settings = settings;
        this.request = request;
        this.recipients = List.copyOf(recipients);
        this.results = new RecipientResult[recipients.size()];
        this.probe = probe;
    }

    /** The cached session failed its RSET probe and is closed; no result of this transaction counts. */
    boolean stale() { return stale; }

    /** True when the transaction ended in a state where the session can be reused (after RSET). */
    boolean endedClean() { return clean; }

    /** Results in recipient order; recipients without one get {@code failure}. */
    List<RecipientResult> finish(SessionFailure failure) {
        List<RecipientResult> list = new ArrayList<>();
        for (int i = 0; i < results.length; i++) {
            if (results[i] == null) {
                results[i] = failed(recipients.get(i), failure.dsn(), failure.text(), failure.remoteReply());
            }
            list.add(results[i]);
        }
        return list;
    }

    List<RecipientResult> results() {
        return finish(new SessionFailure("4.3.0", "internal error: no result", null));
    }

    CompletableFuture<Void> run() {
        EsmtpFeatures features = session.connection().features();
        if (request.smtputf8() && !features.smtputf8()) {
            failAll("5.6.7", "SMTPUTF8 is required, but was not offered by host " + session.relay().hostAddress(), null);
            clean = true;
            return CompletableFuture.completedFuture(null);
        }
        if (features.sizeLimit() > 0 && request.size() > features.sizeLimit()) {
            failAll("5.3.4", PostfixText.sizeExceeded(request.size(), features.sizeLimit(), session.relay()), null);
            clean = true;
            return CompletableFuture.completedFuture(null);
        }
        session.connection().countTransaction();
        String mail = mailCommand(features);
        List<String> rcpts = new ArrayList<>();
        for (Recipient r : recipients) rcpts.add(rcptCommand(r, features));
        boolean pipelined = features.pipelining();
        boolean probing = probe && pipelined;
        if (pipelined) {
            List<String> group = new ArrayList<>();
            if (probing) group.add("RSET");
            group.add(mail);
            group.addAll(rcpts);
            group.add("DATA");
            session.connection().send(group);
        }
        CompletableFuture<Boolean> alive = probing ? session.resetReply() : CompletableFuture.completedFuture(true);
        return alive.thenCompose(ok -> {
            if (!ok) {
                stale = true;
                session.connection().close();
                return CompletableFuture.completedFuture(null);
            }
            return mailAndRest(mail, rcpts, pipelined);
        });
    }

    private CompletableFuture<Void> mailAndRest(String mail, List<String> rcpts, boolean pipelined) {
        CompletableFuture<ServerReply> mailReply = pipelined
                ? session.await(settings.mailTimeout(), "sending MAIL FROM")
                : session.command(mail, settings.mailTimeout(), "sending MAIL FROM");
        return mailReply.thenCompose(reply -> {
            boolean mailOk = reply.code() / 100 == 2;
            if (!mailOk) failAll(reply, "MAIL FROM command");
            if (!mailOk && !pipelined) {
                clean = true;
                return CompletableFuture.completedFuture(null);
            }
            return rcptReplies(rcpts, 0, pipelined, mailOk, new ArrayList<>());
        });
    }

    private CompletableFuture<Void> rcptReplies(List<String> rcpts, int i, boolean pipelined, boolean mailOk,
                                                List<Integer> accepted) {
        if (i == rcpts.size()) return data(pipelined, mailOk, accepted);
        CompletableFuture<ServerReply> reply = pipelined
                ? session.await(settings.rcptTimeout(), "sending RCPT TO")
                : session.command(rcpts.get(i), settings.rcptTimeout(), "sending RCPT TO");
        return reply.thenCompose(r -> {
            if (mailOk) {
                if (r.code() / 100 == 2) accepted.add(i);
                else results[i] = failed(recipients.get(i), r, "RCPT TO command");
            }
            return rcptReplies(rcpts, i + 1, pipelined, mailOk, accepted);
        });
    }

    private CompletableFuture<Void> data(boolean pipelined, boolean mailOk, List<Integer> accepted) {
        if (!pipelined && accepted.isEmpty()) {
            clean = true;
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<ServerReply> dataReply = pipelined
                ? session.await(settings.dataInitTimeout(), "sending DATA command")
                : session.command("DATA", settings.dataInitTimeout(), "sending DATA command");
        return dataReply.thenCompose(reply -> {
            if (reply.code() != 354) {
                if (mailOk) for (int i : accepted) results[i] = failed(recipients.get(i), reply, "DATA command");
                clean = true;
                return CompletableFuture.completedFuture(null);
            }
            if (!mailOk || accepted.isEmpty()) {
                // RFC 2920: DATA was accepted although nothing else was; send an empty message
                // and ignore its reply (no recipient is affected).
                session.connection().send(".");
                return session.await(settings.dataDoneTimeout(), "sending end of data -- message may be sent more than once")
                        .thenAccept(ignored -> clean = true);
            }
            InputStream in;
            try {
                in = request.body().open();
            } catch (IOException e) {
                // Mid-DATA: the session cannot be reused; the message stays queued.
                session.connection().close();
                throw new SessionFailure("4.3.0", "error reading message file: " + e.getMessage(), null);
            }
            return session.connection().sendBody(in, settings.dataXferTimeout())
                    .handle((ok, error) -> {
                        if (error != null) throw session.ioFailure(error, "sending message body");
                        return ok;
                    })
                    .thenCompose(ignored -> endOfData(accepted, 0));
        });
    }

    private CompletableFuture<Void> endOfData(List<Integer> accepted, int k) {
        // SMTP: one reply for all recipients; LMTP: one per accepted recipient, in RCPT order.
        if (k == (settings.lmtp() ? accepted.size() : 1)) {
            clean = true;
            return CompletableFuture.completedFuture(null);
        }
        return session.await(settings.dataDoneTimeout(), "sending end of data -- message may be sent more than once")
                .thenCompose(reply -> {
                    List<Integer> targets = settings.lmtp() ? List.of(accepted.get(k)) : accepted;
                    for (int i : targets) {
                        results[i] = reply.code() / 100 == 2
                                ? new RecipientResult(recipients.get(i).address(), Outcome.DELIVERED, reply.dsn(),
                                        reply.text(), reply.text(), session.relay(), session.connection().transactions())
                                : failed(recipients.get(i), reply, "end of DATA command");
                    }
                    return endOfData(accepted, k + 1);
                });
    }

    private String mailCommand(EsmtpFeatures features) {
        StringBuilder sb = new StringBuilder("MAIL FROM:<").append(request.sender()).append('>');
        if (features.sizeLimit() >= 0 && request.size() >= 0) sb.append(" SIZE=").append(request.size());
        if (features.eightBitMime() && request.bodyType() != null
                && request.bodyType().equalsIgnoreCase("8BITMIME")) {
            sb.append(" BODY=8BITMIME");
        }
        if (request.smtputf8() && features.smtputf8()) sb.append(" SMTPUTF8");
        if (features.dsn()) {
            if (request.ret() != null) sb.append(" RET=").append(request.ret().toUpperCase(Locale.ROOT));
            if (request.envid() != null) sb.append(" ENVID=").append(Xtext.encode(request.envid()));
        }
        return sb.toString();
    }

    private static String rcptCommand(Recipient r, EsmtpFeatures features) {
        StringBuilder sb = new StringBuilder("RCPT TO:<").append(r.address()).append('>');
        if (features.dsn()) {
            if (!r.dsnNotify().isEmpty()) {
                List<String> words = new ArrayList<>();
                // RFC 3461 order is free; keep a stable, readable one.
                for (String w : List.of("NEVER", "SUCCESS", "FAILURE", "DELAY")) {
                    if (r.dsnNotify().stream().anyMatch(w::equalsIgnoreCase)) words.add(w);
                }
                sb.append(" NOTIFY=").append(String.join(",", words));
            }
            if (r.orcpt() != null) sb.append(" ORCPT=").append(Xtext.orcpt(r.orcpt()));
        }
        return sb.toString();
    }

    private void failAll(ServerReply reply, String inReplyTo) {
        for (int i = 0; i < results.length; i++) {
            if (results[i] == null) results[i] = failed(recipients.get(i), reply, inReplyTo);
        }
    }

    private void failAll(String dsn, String text, String remote) {
        for (int i = 0; i < results.length; i++) {
            if (results[i] == null) results[i] = failed(recipients.get(i), dsn, text, remote);
        }
    }

    private RecipientResult failed(Recipient r, ServerReply reply, String inReplyTo) {
        // A positive reply where a failure is expected (e.g. 250 to DATA) is a protocol error.
        String dsn = reply.isTransient() || reply.isPermanent() ? reply.dsn() : "5.5.0";
        return failed(r, dsn, PostfixText.said(session.relay(), reply, inReplyTo), reply.text());
    }

    private RecipientResult failed(Recipient r, String dsn, String text, String remote) {
        Outcome outcome = dsn.startsWith("4") ? Outcome.DEFERRED : Outcome.BOUNCED;
        return new RecipientResult(r.address(), outcome, dsn, text, remote, session.relay(),
                session.connection().transactions());
    }
}
