package org.smarthost.protocol.smtpd.restrictions;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.smarthost.protocol.smtpd.SmtpReply;

/**
 * Evaluates smtpd's restriction lists at RCPT time, as Postfix does with the default
 * smtpd_delay_reject = yes: smtpd_client_restrictions, smtpd_helo_restrictions,
 * smtpd_sender_restrictions, smtpd_relay_restrictions, then smtpd_recipient_restrictions.
 * Within a list the first permit or reject decides; a permit ends only that list. The first
 * reject of any list is the answer. An unknown name gives "451 4.3.5 Server configuration
 * error" and a warning, like Postfix's reject_server_error.
 */
public final class RestrictionEngine {

    private final Logger log;

    public static final SmtpReply SERVER_CONFIGURATION_ERROR =
            SmtpReply.of(451, "4.3.5", "Server configuration error");

    private record Step(List<String> names, String replyClass, Stage stage) {
    }

    private enum Stage { CLIENT, HELO, SENDER, RECIPIENT }

    private final Restrictions registry;
    private final List<Step> steps = new ArrayList<>();
    private final List<String> data;

    public RestrictionEngine(Restrictions registry, SmtpdTables tables) {
        this.registry = registry;
        this.log = LoggerFactory.getLogger(tables.settings().logName());
        var s = tables.settings().access();
        steps.add(new Step(split(s.smtpdClientRestrictions()), "Client host", Stage.CLIENT));
        steps.add(new Step(split(s.smtpdHeloRestrictions()), "Helo command", Stage.HELO));
        steps.add(new Step(split(s.smtpdSenderRestrictions()), "Sender address", Stage.SENDER));
        steps.add(new Step(split(s.smtpdRelayRestrictions()), "Recipient address", Stage.RECIPIENT));
        steps.add(new Step(split(s.smtpdRecipientRestrictions()), "Recipient address", Stage.RECIPIENT));
        data = split(s.smtpdDataRestrictions());
    }

    /** smtpd_data_restrictions is set: DATA and a transaction's first BDAT must be checked. */
    public boolean checksData() {
        return !data.isEmpty();
    }

    /**
     * smtpd_data_restrictions, at DATA or a transaction's first BDAT, as Postfix's
     * smtpd_check_data: reply name "DATA", class "Data command". Completes with the reject
     * reply, or null.
     */
    public CompletionStage<SmtpReply> checkData(RestrictionContext base) {
        return runList(base.forList("DATA", RestrictionContext.DATA_CLASS), data, 0)
                .thenApply(v -> v instanceof Verdict.Reject r ? r.reply() : null);
    }

    /** Main.cf lists may be written "a, b c"; accept either a list of names or one string. */
    private static List<String> split(List<String> in) {
        List<String> out = new ArrayList<>();
        for (String s : in) for (String t : s.split("[\\s,]+")) if (!t.isEmpty()) out.add(t);
        return out;
    }

    /** Completes with the reject reply, or null when the recipient is acceptable. */
    public CompletionStage<SmtpReply> checkRecipient(RestrictionContext base) {
        return runStep(base, 0);
    }

    private CompletionStage<SmtpReply> runStep(RestrictionContext base, int i) {
        if (i >= steps.size()) return CompletableFuture.completedFuture(null);
        Step step = steps.get(i);
        String replyName = switch (step.stage()) {
            case CLIENT -> base.namaddr();
            case HELO -> base.heloName() == null ? "" : base.heloName();
            case SENDER -> base.sender();
            case RECIPIENT -> base.recipient();
        };
        RestrictionContext ctx = base.forList(replyName, step.replyClass());
        return runList(ctx, step.names(), 0).thenCompose(v -> {
            if (v instanceof Verdict.Reject r) return CompletableFuture.completedFuture(r.reply());
            return runStep(base, i + 1);
        });
    }

    private CompletionStage<Verdict> runList(RestrictionContext ctx, List<String> names, int j) {
        if (j >= names.size()) return CompletableFuture.completedFuture(Verdict.DUNNO);
        String name = names.get(j);
        var restriction = registry.lookup(name);
        if (restriction.isEmpty()) {
            log.warn("warning: unknown smtpd restriction: \"{}\"", name);
            return CompletableFuture.completedFuture(new Verdict.Reject(SERVER_CONFIGURATION_ERROR));
        }
        CompletionStage<Verdict> v;
        try {
            v = restriction.get().evaluate(ctx);
        } catch (RuntimeException e) {
            log.warn("warning: restriction {} failed: {}", name, e.toString());
            return CompletableFuture.completedFuture(new Verdict.Reject(SERVER_CONFIGURATION_ERROR));
        }
        return v.thenCompose(verdict -> {
            if (verdict instanceof Verdict.Dunno) return runList(ctx, names, j + 1);
            if (j + 1 < names.size() && (name.equalsIgnoreCase("permit") || name.equalsIgnoreCase("reject")
                    || name.equalsIgnoreCase("defer"))) {
                log.warn("warning: restriction `{}' after `{}' is ignored", names.get(j + 1), name);
            }
            return CompletableFuture.completedFuture(verdict);
        });
    }
}
