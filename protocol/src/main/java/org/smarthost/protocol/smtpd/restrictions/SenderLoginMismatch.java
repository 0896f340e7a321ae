package org.smarthost.protocol.smtpd.restrictions;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.smarthost.config.tables.LookupException;
import org.smarthost.config.tables.LookupTable;
import org.smarthost.config.tables.MailAddrFind;
import org.smarthost.config.tables.Maps;

/**
 * The restrictions that compare the MAIL FROM address with the SASL login through
 * smtpd_sender_login_maps (address to owner login names, separated by commas or spaces):
 * <ul>
 * <li>reject_authenticated_sender_login_mismatch: a logged-in client must own the sender, and
 * a sender without an owner is refused too;</li>
 * <li>reject_known_sender_login_mismatch: a logged-in client must own a sender that has an
 * owner; a client that did not log in may not use a sender that has one;</li>
 * <li>reject_unauthenticated_sender_login_mismatch: a client that did not log in may not use a
 * sender that has an owner;</li>
 * <li>reject_sender_login_mismatch: the authenticated and the unauthenticated check in turn
 * (Postfix's built-in restriction class).</li>
 * </ul>
 * Replies as Postfix's: "553 5.7.1 &lt;addr&gt;: Sender address rejected: not owned by user NAME",
 * "553 5.7.1 &lt;addr&gt;: Sender address rejected: not logged in", and for a table that cannot
 * answer "451 4.3.0 &lt;addr&gt;: Temporary lookup failure" (an empty value: "451 4.3.5 Server
 * configuration error"). The null sender is never checked;
 * without smtpd_sasl_auth_enable the restriction is ignored with Postfix's warning.
 * Lookup keys as Postfix's mail_addr_find of the resolved sender: user+ext@domain,
 * user@domain, for a local domain ($myorigin, $mydestination) user+ext and user, then @domain.
 */
public final class SenderLoginMismatch implements SimpleRestriction {

    /** Which check. */
    public enum Mode {
        AUTHENTICATED("reject_authenticated_sender_login_mismatch"),
        KNOWN("reject_known_sender_login_mismatch"),
        UNAUTHENTICATED("reject_unauthenticated_sender_login_mismatch"),
        BOTH("reject_sender_login_mismatch");

        final String restriction;

        Mode(String restriction) {
            this.restriction = restriction;
        }
    }

    private final Mode mode;

    public SenderLoginMismatch(Mode mode) {
        this.mode = mode;
    }

    /** One of each. */
    static List<Restriction> all() {
        return List.of(new SenderLoginMismatch(Mode.AUTHENTICATED), new SenderLoginMismatch(Mode.KNOWN),
                new SenderLoginMismatch(Mode.UNAUTHENTICATED), new SenderLoginMismatch(Mode.BOTH));
    }

    @Override
    public String name() {
        return mode.restriction;
    }

    @Override
    public Verdict check(RestrictionContext ctx) {
        if (mode == Mode.BOTH) {
            // Postfix defines it as the class "reject_authenticated_sender_login_mismatch
            // reject_unauthenticated_sender_login_mismatch".
            Verdict v = new SenderLoginMismatch(Mode.AUTHENTICATED).check(ctx);
            return v instanceof Verdict.Dunno ? new SenderLoginMismatch(Mode.UNAUTHENTICATED).check(ctx) : v;
        }
        if (!ctx.tables().settings().sasl().enabled()) {
            ctx.tables().log().warn("warning: restriction `{}' ignored: no SASL support", mode.restriction);
            return Verdict.DUNNO;
        }
        String sender = ctx.sender();
        if (sender == null || sender.isEmpty()) return Verdict.DUNNO;
        Maps maps = ctx.tables().senderLoginMaps();
        if (maps.isEmpty()) return Verdict.DUNNO;
        String login = ctx.saslUsername();
        boolean auth = switch (mode) {
            case AUTHENTICATED -> true;
            case UNAUTHENTICATED -> false;
            default -> login != null;
        };
        RestrictionContext c = ctx.forList(sender, "Sender address");
        Optional<String> owners;
        try {
            if (auth ? login == null : login != null) return Verdict.DUNNO;
            owners = owners(ctx.tables(), maps, sender);
        } catch (TableSearch.EmptyResult e) {
            return new Verdict.Reject(RestrictionEngine.SERVER_CONFIGURATION_ERROR);
        } catch (LookupException e) {
            return c.reject(451, "4.3.0", "<" + sender + ">: Temporary lookup failure");
        }
        if (!auth) {
            return owners.isPresent()
                    ? c.reject(553, "5.7.1", "<" + sender + ">: Sender address rejected: not logged in")
                    : Verdict.DUNNO;
        }
        if (owners.isEmpty() && mode == Mode.KNOWN) return Verdict.DUNNO;
        if (owners.isPresent()) {
            for (String name : owners.get().split("[,\\s]+")) {
                if (!name.isEmpty() && name.equalsIgnoreCase(login)) return Verdict.DUNNO;
            }
        }
        return c.reject(553, "5.7.1", "<" + sender + ">: Sender address rejected: not owned by user " + login);
    }

    /**
     * The owners of {@code sender}: the sender as trivial-rewrite resolves it (a bare name gets
     * "@$myhostname", one trailing dot goes), searched as mail_addr_find searches.
     */
    static Optional<String> owners(SmtpdTables tables, Maps maps, String sender) {
        String address = sender;
        if (address.lastIndexOf('@') < 0) {
            address = address + "@" + tables.settings().identity().myhostname();
        } else if (address.endsWith(".") && !address.endsWith("..")) {
            address = address.substring(0, address.length() - 1);
        }
        return MailAddrFind.find((key, partial) -> find(tables, maps, key, partial), address,
                tables.settings().accessMaps().recipientDelimiter(), domain -> isLocal(tables, domain));
    }

    /** The tables in order, derived keys not asked of pattern tables (Postfix's maps_find). */
    private static Optional<String> find(SmtpdTables tables, Maps maps, String key, boolean partial) {
        for (LookupTable table : maps.tables()) {
            if (partial && table.isPattern()) continue;
            Optional<String> value = TableSearch.find(tables.log(), table, key, maps.parameter());
            if (value.isPresent()) return value;
        }
        return Optional.empty();
    }

    private static boolean isLocal(SmtpdTables tables, String domain) {
        String d = domain.toLowerCase(Locale.ROOT);
        String myorigin = tables.settings().accessMaps().myorigin();
        return d.equalsIgnoreCase(myorigin) || (!d.isEmpty() && tables.mydestination().matches(d));
    }
}
