package org.smarthost.protocol.smtpd.restrictions;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.smarthost.config.Config;
import org.smarthost.protocol.smtpd.SmtpReply;

/**
 * Evaluates smtpd's restriction lists at RCPT time, as Postfix does with the default
 * smtpd_delay_reject = yes: smtpd_client_restrictions, smtpd_helo_restrictions,
 * smtpd_sender_restrictions, smtpd_relay_restrictions, then smtpd_recipient_restrictions.
 * Within a list the first permit or reject decides; a permit ends only that list. The first
 * reject of any list is the answer. An unknown name gives "451 4.3.5 Server configuration
 * error" and a warning, like Postfix's reject_server_error.
 *
 * <p>Lists are compiled once: each name is looked up in {@link Restrictions}, whose factories
 * take their arguments from the list ("check_sender_access hash:/etc/postfix/access"); a name
 * from smtpd_restriction_classes stands for that class's list; a bare "type:table" is the
 * current list's own access check (check_client_access in smtpd_client_restrictions, ...).
 * The engine also keeps Postfix's defer_if_permit and defer_if_reject state for a check.
 */
public final class RestrictionEngine {

    private final Logger log;

    public static final SmtpReply SERVER_CONFIGURATION_ERROR =
            SmtpReply.of(451, "4.3.5", "Server configuration error");

    /** Postfix gives up on access table values nested deeper than this. */
    static final int MAX_RECURSION = 100;

    private record Step(List<Restriction> list, String replyClass, Stage stage) {
    }

    private enum Stage { CLIENT, HELO, SENDER, RECIPIENT }

    private final Restrictions registry;
    private final SmtpdTables tables;
    private final List<Step> steps = new ArrayList<>();
    private final List<Restriction> data;
    private final Map<String, List<Restriction>> classes = new HashMap<>();
    private final Map<String, List<Restriction>> compiledValues = new ConcurrentHashMap<>();

    public RestrictionEngine(Restrictions registry, SmtpdTables tables) {
        this.registry = registry;
        this.tables = tables;
        this.log = tables.log();
        var s = tables.settings().access();
        // Names first, so that classes may name each other in any order.
        tables.settings().accessMaps().smtpdRestrictionClasses().keySet().forEach(n -> classes.put(n, List.of()));
        tables.settings().accessMaps().smtpdRestrictionClasses().forEach((n, l) -> classes.put(n, compile(Config.splitList(l))));
        steps.add(new Step(compile(Config.splitList(s.smtpdClientRestrictions())), "Client host", Stage.CLIENT));
        steps.add(new Step(compile(Config.splitList(s.smtpdHeloRestrictions())), "Helo command", Stage.HELO));
        steps.add(new Step(compile(Config.splitList(s.smtpdSenderRestrictions())), "Sender address", Stage.SENDER));
        steps.add(new Step(compile(Config.splitList(s.smtpdRelayRestrictions())), "Recipient address", Stage.RECIPIENT));
        steps.add(new Step(compile(Config.splitList(s.smtpdRecipientRestrictions())), "Recipient address", Stage.RECIPIENT));
        data = compile(Config.splitList(s.smtpdDataRestrictions()));
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
        Evaluation ev = new Evaluation();
        ev.listClass = RestrictionContext.DATA_CLASS;
        return runList(base.forList("DATA", RestrictionContext.DATA_CLASS).withEvaluation(ev), data, 0)
                .thenApply(v -> v instanceof Verdict.Reject r ? r.reply() : ev.deferIfPermit);
    }

    /** Compiles a restriction list; what is wrong in it is reported when it is evaluated. */
    List<Restriction> compile(List<String> names) {
        List<Restriction> out = new ArrayList<>();
        var args = new RestrictionFactory.Arguments(names);
        while (args.hasNext()) {
            String name = args.next();
            if (name.contains(":")) {
                out.add(AccessCheck.implicit(name, tables));
                continue;
            }
            var factory = registry.lookup(name);
            if (factory.isPresent()) {
                out.add(factory.get().create(args, tables));
            } else if (classes.containsKey(name)) {     // case-sensitive, as Postfix's class table
                out.add(new ClassRestriction(name));
            } else {
                out.add(new Unknown(name));
            }
        }
        return List.copyOf(out);
    }

    /** Completes with the reject reply, or null when the recipient is acceptable. */
    public CompletionStage<SmtpReply> checkRecipient(RestrictionContext base) {
        return runStep(base.withEvaluation(new Evaluation()), 0, null);
    }

    private CompletionStage<SmtpReply> runStep(RestrictionContext base, int i, Stage previous) {
        Evaluation ev = base.evaluation();
        if (i >= steps.size()) {
            // Postfix: permission turns into the deferral an earlier temporary problem asked for.
            return CompletableFuture.completedFuture(ev.deferIfPermit);
        }
        Step step = steps.get(i);
        String replyName = switch (step.stage()) {
            case CLIENT -> base.namaddr();
            case HELO -> base.heloName() == null ? "" : base.heloName();
            case SENDER -> base.sender();
            case RECIPIENT -> base.recipient();
        };
        // defer_if_reject lasts for one Postfix check: client, HELO, sender, relay+recipient.
        if (step.stage() != previous) ev.deferIfReject = null;
        ev.listClass = step.replyClass();
        RestrictionContext ctx = base.forList(replyName, step.replyClass());
        return runList(ctx, step.list(), 0).thenCompose(v -> {
            if (v instanceof Verdict.Reject r) return CompletableFuture.completedFuture(r.reply());
            return runStep(base, i + 1, step.stage());
        });
    }

    private CompletionStage<Verdict> runList(RestrictionContext ctx, List<Restriction> list, int j) {
        if (j >= list.size()) return CompletableFuture.completedFuture(Verdict.DUNNO);
        Restriction restriction = list.get(j);
        CompletionStage<Verdict> v;
        try {
            v = restriction.evaluate(ctx);
        } catch (RuntimeException e) {
            log.warn("warning: restriction {} failed: {}", restriction.name(), e.toString());
            return CompletableFuture.completedFuture(new Verdict.Reject(SERVER_CONFIGURATION_ERROR));
        }
        Evaluation ev = ctx.evaluation();
        return v.thenCompose(verdict -> {
            if (verdict instanceof Verdict.DeferIfPermit d) {
                if (ev.deferIfPermit == null) ev.deferIfPermit = d.reply();
                verdict = Verdict.DUNNO;
            } else if (verdict instanceof Verdict.DeferIfReject d) {
                if (ev.deferIfReject == null) ev.deferIfReject = d.reply();
                verdict = Verdict.DUNNO;
            } else if (verdict instanceof Verdict.Reject r && r.reply().code() >= 500 && ev.deferIfReject != null) {
                // Postfix's smtpd_check_reject: report the earlier temporary problem instead.
                verdict = new Verdict.Reject(ev.deferIfReject);
                ev.deferIfReject = null;
            }
            if (verdict instanceof Verdict.Dunno) {
                if (ev.deferIfPermit != null && ev.deferIfReject != null) return CompletableFuture.completedFuture(verdict);
                return runList(ctx, list, j + 1);
            }
            String name = restriction.name();
            if (j + 1 < list.size() && (name.equalsIgnoreCase("permit") || name.equalsIgnoreCase("reject")
                    || name.equalsIgnoreCase("defer"))) {
                log.warn("warning: restriction `{}' after `{}' is ignored", list.get(j + 1).name(), name);
            }
            return CompletableFuture.completedFuture(verdict);
        });
    }

    /**
     * One check in progress (a RCPT, or DATA): Postfix's defer_if_permit and defer_if_reject
     * state and the nesting depth of restriction classes and access table values.
     */
    public final class Evaluation {
        private SmtpReply deferIfPermit;
        private SmtpReply deferIfReject;
        private int depth;
        private String listClass;

        private Evaluation() {
        }

        /**
         * The reply class of the main.cf list being evaluated ("Client host", ..., "Data command"),
         * which decides what a bare "type:table" checks, also inside classes and table values
         * (Postfix's def_acl).
         */
        String listClass() {
            return listClass;
        }

        /** Nesting of class lists and access table values around the restriction being evaluated. */
        int depth() {
            return depth;
        }

        /** Evaluates a nested list (a class, or an access table's value) as part of this check. */
        CompletionStage<Verdict> run(RestrictionContext ctx, List<Restriction> list) {
            depth++;
            return runList(ctx, list, 0).whenComplete((v, e) -> depth--);
        }

        /** An access table value that is a restriction list, compiled once per distinct value. */
        List<Restriction> compileValue(String value) {
            return compiledValues.computeIfAbsent(value, x -> compile(Config.splitList(x)));
        }

        List<Restriction> restrictionClass(String name) {
            return classes.get(name);
        }
    }

    /** A smtpd_restriction_classes name: that class's list, evaluated in place. */
    private record ClassRestriction(String name) implements Restriction {
        @Override
        public CompletionStage<Verdict> evaluate(RestrictionContext ctx) {
            Evaluation ev = ctx.evaluation();
            if (ev.depth() > MAX_RECURSION) {
                ctx.tables().log().warn("warning: restriction class {} causes unreasonable recursion", name);
                return CompletableFuture.completedFuture(new Verdict.Reject(SERVER_CONFIGURATION_ERROR));
            }
            return ev.run(ctx, ev.restrictionClass(name));
        }
    }

    /** A name that is neither a restriction nor a class: Postfix's reject_server_error when reached. */
    private record Unknown(String name) implements SimpleRestriction {
        @Override
        public Verdict check(RestrictionContext ctx) {
            ctx.tables().log().warn("warning: unknown smtpd restriction: \"{}\"", name);
            return new Verdict.Reject(SERVER_CONFIGURATION_ERROR);
        }
    }
}
