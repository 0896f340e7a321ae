package org.smarthost.protocol.smtpd.restrictions;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.smarthost.config.InetText;
import org.smarthost.config.tables.LookupException;
import org.smarthost.config.tables.LookupTable;

/**
 * check_client_access, check_helo_access, check_sender_access and check_recipient_access
 * type:table (access(5)), Postfix's check_namadr_access, check_domain_access and
 * check_mail_access: look the client, HELO name, sender or recipient up under the keys
 * {@link AccessKeys} derives, and act on the first value found ({@link AccessAction}).
 * A table that cannot answer gives "451 4.3.5 &lt;name&gt;: Class rejected: Server configuration
 * error" after Postfix's "lookup error" warning.
 */
public final class AccessCheck implements Restriction {

    /** The four checks, with Postfix's reply class for each. */
    public enum Kind {
        CLIENT("check_client_access", "Client host"),
        HELO("check_helo_access", "Helo command"),
        SENDER("check_sender_access", "Sender address"),
        RECIPIENT("check_recipient_access", "Recipient address");

        final String restriction;
        final String replyClass;

        Kind(String restriction, String replyClass) {
            this.restriction = restriction;
            this.replyClass = replyClass;
        }

        /** The check a bare "type:table" stands for in a list with this reply class, if any. */
        static Optional<Kind> forList(String replyClass) {
            for (Kind k : values()) if (k.replyClass.equals(replyClass)) return Optional.of(k);
            return Optional.empty();
        }
    }

    private final Kind kind;          // null: a bare "type:table", the current list's own check
    private final LookupTable table;

    private AccessCheck(Kind kind, LookupTable table) {
        this.kind = kind;
        this.table = table;
    }

    /** "check_xxx_access type:table": takes the table from the list. */
    static RestrictionFactory factory(Kind kind) {
        return new RestrictionFactory() {
            @Override public String name() { return kind.restriction; }

            @Override
            public Restriction create(Arguments args, SmtpdTables tables) {
                String arg = args.peek();
                if (arg == null) return misconfigured(kind.restriction, kind.restriction);
                args.next();
                if (arg.indexOf(':') < 0) return misconfigured(kind.restriction, arg);
                return new AccessCheck(kind, tables.table(arg));
            }
        };
    }

    /** A "type:table" written without a check name, Postfix's shorthand. */
    static Restriction implicit(String spec, SmtpdTables tables) {
        return new AccessCheck(null, tables.table(spec));
    }

    /** Postfix's is_map_command error: reported, with a server error, when reached. */
    private static Restriction misconfigured(String name, String argument) {
        return new SimpleRestriction() {
            @Override public String name() { return name; }

            @Override
            public Verdict check(RestrictionContext ctx) {
                ctx.tables().log().warn("warning: restriction {}: bad argument \"{}\": need maptype:mapname", name, argument);
                return new Verdict.Reject(RestrictionEngine.SERVER_CONFIGURATION_ERROR);
            }
        };
    }

    @Override
    public String name() {
        return kind == null ? table.spec() : kind.restriction;
    }

    @Override
    public CompletionStage<Verdict> evaluate(RestrictionContext ctx) {
        Kind k = kind;
        if (k == null) {
            String listClass = ctx.evaluation() != null ? ctx.evaluation().listClass() : ctx.replyClass();
            Optional<Kind> implied = Kind.forList(listClass);
            if (implied.isEmpty()) {
                ctx.tables().log().warn("warning: specify one of (check_client_access, check_reverse_client_access, "
                        + "check_helo_access, check_sender_access, check_recipient_access, check_etrn_access) "
                        + "before {} restriction \"{}\"", ctx.replyClass(), table.spec());
                return CompletableFuture.completedFuture(new Verdict.Reject(RestrictionEngine.SERVER_CONFIGURATION_ERROR));
            }
            k = implied.get();
        }
        var maps = ctx.tables().settings().accessMaps();
        boolean parentStyle = ctx.tables().settings().access().parentDomainMatchesSubdomains().contains("smtpd_access_maps");
        switch (k) {
            case CLIENT: {
                RestrictionContext c = ctx.forList(ctx.namaddr(), k.replyClass);
                var v = search(c, AccessKeys.domain(ctx.clientName(), parentStyle), ctx.clientName());
                if (v != null) return v;
                String addr = InetText.ntop(ctx.clientAddress());
                v = search(c, AccessKeys.address(addr), addr);
                return v != null ? v : dunno();
            }
            case HELO: {
                if (ctx.heloName() == null) return dunno();
                var v = search(ctx.forList(ctx.heloName(), k.replyClass), AccessKeys.domain(ctx.heloName(), parentStyle),
                        ctx.heloName());
                return v != null ? v : dunno();
            }
            case SENDER: {
                if (ctx.sender() == null) return dunno();
                RestrictionContext c = ctx.forList(ctx.sender(), k.replyClass);
                List<AccessKeys.Key> keys = ctx.sender().isEmpty()
                        ? List.of(new AccessKeys.Key(maps.smtpdNullAccessLookupKey(), false))
                        : AccessKeys.mail(ctx.sender(), maps.recipientDelimiter(), parentStyle);
                var v = search(c, keys, ctx.sender().isEmpty() ? maps.smtpdNullAccessLookupKey() : ctx.sender());
                return v != null ? v : dunno();
            }
            case RECIPIENT: {
                if (ctx.recipient() == null) return dunno();
                RestrictionContext c = ctx.forList(ctx.recipient(), k.replyClass);
                var v = search(c, AccessKeys.mail(ctx.recipient(), maps.recipientDelimiter(), parentStyle), ctx.recipient());
                if (v == null) return dunno();
                // allow_untrusted_routing = no: a source-routed recipient never gets OK from a table.
                return routed(ctx.recipient()) ? v.thenApply(x -> x instanceof Verdict.Permit ? Verdict.DUNNO : x) : v;
            }
            default:
                throw new IllegalStateException(k.toString());
        }
    }

    /** The value of the first key found, acted upon; null when no key is in the table. */
    private CompletionStage<Verdict> search(RestrictionContext ctx, List<AccessKeys.Key> keys, String datum) {
        for (AccessKeys.Key key : keys) {
            if (key.partial() && table.isPattern()) continue;
            String value;
            try {
                value = TableSearch.find(ctx.tables().log(), table, key.key(), table.spec()).orElse(null);
            } catch (LookupException e) {
                value = AccessAction.LOOKUP_ERROR_VALUE;
            }
            if (value != null) return AccessAction.apply(ctx, table.spec(), value, datum);
        }
        return null;
    }

    /** Postfix's RESOLVE_FLAG_ROUTED, roughly: the localpart routes onwards (user%host, host!user, user@host). */
    private static boolean routed(String address) {
        int at = address.lastIndexOf('@');
        String local = at < 0 ? address : address.substring(0, at);
        return local.contains("@") || local.contains("%") || local.contains("!");
    }

    private static CompletionStage<Verdict> dunno() {
        return CompletableFuture.completedFuture(Verdict.DUNNO);
    }
}
