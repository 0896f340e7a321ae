package org.smarthost.protocol.smtpd.restrictions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.smarthost.config.tables.LookupTable;
import org.smarthost.config.tables.LookupTables;
import org.smarthost.config.tables.TableOpener;
import org.smarthost.protocol.sasl.SaslExchange;
import org.smarthost.protocol.sasl.SaslRequest;
import org.smarthost.protocol.sasl.SaslSecurityOptions;
import org.smarthost.protocol.sasl.SaslServer;
import org.smarthost.protocol.smtpd.SmtpReply;
import org.smarthost.protocol.smtpd.SmtpdSasl;
import org.smarthost.protocol.smtpd.LogCapture;
import org.smarthost.protocol.smtpd.SmtpdSettings;

/**
 * smtpd_sender_login_maps and the four *_sender_login_mismatch restrictions through the
 * restriction engine, without a network: Postfix's replies, lookup keys, lookup failure and
 * the "no SASL support" warning.
 */
class SenderLoginMismatchTest {

    private static final String LOGINS = "inline:{alice@example.com=alice, {shared@example.com = alice, bob},"
            + " @corp.example=carol, postmaster=dave, eve+x@example.com=eve, team@example.com=ALICE}";

    private final LogCapture logs = new LogCapture();

    private boolean saslEnabled = true;
    private String loginMaps = LOGINS;

    @AfterEach
    void release() {
        logs.close();
    }

    private List<String> logLines() {
        return logs.lines();
    }

    private final TableOpener opener = new TableOpener() {
        final TableOpener real = new LookupTables(Path.of(""), LoggerFactory.getLogger("postfix/smtpd"));

        @Override
        public LookupTable open(String spec) {
            if (spec.startsWith("empty:")) return new LookupTable() {
                public String spec() { return spec; }
                public boolean isPattern() { return false; }
                public Optional<String> find(String key) { return Optional.of(""); }
            };
            return real.open(spec);
        }
    };

    private static final SaslServer NO_SERVER = new SaslServer() {
        @Override public CompletionStage<List<String>> mechanisms(SaslSecurityOptions options) { return null; }
        @Override public SaslExchange begin(SaslRequest request) { return null; }
        @Override public void close() { }
    };

    /** The RCPT-time check with smtpd_sender_restrictions = {@code restriction}; the reply or null. */
    private String check(String restriction, String login, String from) throws Exception {
        SmtpdSettings d = SmtpdSettings.defaults("mx.example.com");
        var a = d.access();
        SmtpdSettings s = d.with(new SmtpdSettings.Access(a.mynetworks(), List.of("mx.example.com", "localhost"),
                        List.of(), a.parentDomainMatchesSubdomains(), List.of(), List.of(), List.of(restriction),
                        List.of(), List.of("permit"), List.of(),
                        a.relayDomainsRejectCode(), a.rejectCode(), a.deferCode(), a.nonFqdnRejectCode(),
                        a.multiRecipientBounceRejectCode()))
                .with(new SmtpdSettings.AccessMaps(Path.of(""), 554, 450, "<>", "+", Map.of(), loginMaps, "example.com"))
                .with(saslEnabled ? new SmtpdSasl(true, NO_SERVER, SaslSecurityOptions.DEFAULT, SaslSecurityOptions.DEFAULT,
                        false, false, "smtp", List.of(), 12288) : SmtpdSasl.NONE);
        SmtpdTables tables = new SmtpdTables(s, opener);
        RestrictionEngine e = new RestrictionEngine(Restrictions.builtin(), tables);
        var ctx = new RestrictionContext(InetAddress.getByName("192.0.2.10"), "mail.client.example", "helo.example",
                from, "rcpt@elsewhere.example", login, false, "", "", tables, 0, RestrictionContext.Whatsup.NONE);
        SmtpReply r = e.checkRecipient(ctx).toCompletableFuture().get();
        return r == null ? null : r.code() + " " + r.enhanced() + " " + String.join(" ", r.lines());
    }

    private static final String AUTH = "reject_authenticated_sender_login_mismatch";
    private static final String KNOWN = "reject_known_sender_login_mismatch";
    private static final String UNAUTH = "reject_unauthenticated_sender_login_mismatch";
    private static final String BOTH = "reject_sender_login_mismatch";

    @Test
    void authenticatedClientMustOwnTheSender() throws Exception {
        assertNull(check(AUTH, "alice", "alice@example.com"));
        assertNull(check(AUTH, "bob", "shared@example.com"), "owners separated by comma and space");
        assertNull(check(AUTH, "alice", "team@example.com"), "login names compare case-insensitively");
        assertEquals("553 5.7.1 <alice@example.com>: Sender address rejected: not owned by user bob",
                check(AUTH, "bob", "alice@example.com"));
        assertEquals("553 5.7.1 <nobody@example.com>: Sender address rejected: not owned by user alice",
                check(AUTH, "alice", "nobody@example.com"), "a sender without an owner is refused too");
        assertNull(check(AUTH, null, "alice@example.com"), "not logged in: not this check's business");
        assertNull(check(AUTH, "bob", ""), "the null sender is never checked");
    }

    @Test
    void lookupKeysAreMailAddrFinds() throws Exception {
        assertNull(check(AUTH, "carol", "anyone@corp.example"), "@domain");
        assertNull(check(AUTH, "alice", "alice+lists@example.com"), "address without its extension");
        assertNull(check(AUTH, "eve", "eve+x@example.com"), "the full address first");
        assertNull(check(AUTH, "dave", "postmaster@example.com"), "bare local-part for $myorigin");
        assertNull(check(AUTH, "dave", "postmaster@mx.example.com"), "bare local-part for $mydestination");
        assertNull(check(AUTH, "dave", "postmaster"), "a bare name is @$myhostname");
        assertEquals("553 5.7.1 <postmaster@remote.example>: Sender address rejected: not owned by user dave",
                check(AUTH, "dave", "postmaster@remote.example"), "no bare local-part for a remote domain");
        assertEquals("553 5.7.1 <ALICE@Example.COM>: Sender address rejected: not owned by user bob",
                check(AUTH, "bob", "ALICE@Example.COM"), "keys fold to lower case, the reply keeps the address");
    }

    @Test
    void knownUnauthenticatedAndBoth() throws Exception {
        assertNull(check(KNOWN, "alice", "nobody@example.com"), "known: a sender without an owner is fine");
        assertEquals("553 5.7.1 <alice@example.com>: Sender address rejected: not owned by user bob",
                check(KNOWN, "bob", "alice@example.com"));
        assertEquals("553 5.7.1 <alice@example.com>: Sender address rejected: not logged in",
                check(KNOWN, null, "alice@example.com"));
        assertNull(check(KNOWN, null, "nobody@example.com"));

        assertEquals("553 5.7.1 <alice@example.com>: Sender address rejected: not logged in",
                check(UNAUTH, null, "alice@example.com"));
        assertNull(check(UNAUTH, null, "nobody@example.com"));
        assertNull(check(UNAUTH, "bob", "alice@example.com"), "logged in: not this check's business");

        assertEquals("553 5.7.1 <alice@example.com>: Sender address rejected: not logged in",
                check(BOTH, null, "alice@example.com"));
        assertEquals("553 5.7.1 <nobody@example.com>: Sender address rejected: not owned by user bob",
                check(BOTH, "bob", "nobody@example.com"));
        assertNull(check(BOTH, "alice", "alice@example.com"));
        assertNull(check(BOTH, null, "nobody@example.com"));
    }

    @Test
    void aTableThatCannotAnswerIsATemporaryFailure() throws Exception {
        loginMaps = "inline:{alice@example.com=alice}, fail:logins";
        assertNull(check(AUTH, "alice", "alice@example.com"), "the first table answered");
        assertEquals("451 4.3.0 <bob@example.com>: Temporary lookup failure", check(AUTH, "bob", "bob@example.com"));
        assertEquals("451 4.3.0 <bob@example.com>: Temporary lookup failure", check(UNAUTH, null, "bob@example.com"));
        assertTrue(logLines().contains("warning: fail:logins: table lookup failed (fail: table)"), logLines().toString());
        assertTrue(logLines().contains("warning: fail:logins lookup error for \"bob@example.com\""), logLines().toString());

        loginMaps = "empty:logins";
        assertEquals("451 4.3.5 Server configuration error", check(AUTH, "bob", "bob@example.com"));
        assertTrue(logLines().contains("warning: smtpd_sender_login_maps lookup of bob@example.com returns an empty "
                + "string result"), logLines().toString());
    }

    @Test
    void withoutSaslTheRestrictionIsIgnoredWithAWarning() throws Exception {
        saslEnabled = false;
        assertNull(check(UNAUTH, null, "alice@example.com"));
        assertTrue(logLines().contains("warning: restriction `reject_unauthenticated_sender_login_mismatch' ignored: "
                + "no SASL support"), logLines().toString());
        saslEnabled = true;
        loginMaps = "";
        assertNull(check(BOTH, null, "alice@example.com"), "no smtpd_sender_login_maps: nothing to compare");
    }
}
