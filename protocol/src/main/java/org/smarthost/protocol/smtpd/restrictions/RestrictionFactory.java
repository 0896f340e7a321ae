package org.smarthost.protocol.smtpd.restrictions;

/**
 * Builds one restriction from its name and the list elements that follow it, for
 * restrictions that take arguments: "check_client_access type:table",
 * "reject_rbl_client domain", "check_policy_service inet:host:port". The factory takes what it
 * needs from {@link Arguments}; what it leaves is read as the next restriction name. Plain
 * restrictions are registered as themselves ({@link Restrictions#register(Restriction)}).
 */
public interface RestrictionFactory {

    /** The name as written in main.cf. */
    String name();

    /**
     * Called when a restriction list is compiled (at server start, or when an access table
     * answers with a list). A malformed argument is not an error here: as in Postfix, the
     * returned restriction reports it when it is evaluated.
     *
     * @param args   the elements after the name
     * @param tables the server's settings and lookup tables (tables are opened now, as Postfix
     *               opens them before it serves a client)
     */
    Restriction create(Arguments args, SmtpdTables tables);

    /** The rest of a restriction list, read from left to right. */
    final class Arguments {
        private final java.util.List<String> tokens;
        private int next;

        public Arguments(java.util.List<String> tokens) {
            this.tokens = tokens;
        }

        public boolean hasNext() { return next < tokens.size(); }

        /** The next element without taking it, or null at the end of the list. */
        public String peek() { return hasNext() ? tokens.get(next) : null; }

        /** Takes the next element; null at the end of the list. */
        public String next() { return hasNext() ? tokens.get(next++) : null; }
    }
}
