package org.smarthost.protocol.smtpd.restrictions;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.smarthost.config.tables.LookupTable;
import org.smarthost.config.tables.LookupTables;
import org.smarthost.config.tables.TableOpener;
import org.smarthost.protocol.smtpd.SmtpReply;
import org.smarthost.protocol.smtpd.LogCapture;
import org.smarthost.protocol.smtpd.SmtpdSettings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * check_*_access through the restriction engine, without a network: the actions of access(5)
 * (Postfix's check_table_result), lookup failures, restriction classes, the implicit
 * "type:table" form and the defer_if_permit/defer_if_reject state. Tables are inline: and
 * static: and fail: (real tables) plus a tiny test table: "pattern:..."
 * is a pattern table that records what it was asked.
 */
class AccessRestrictionsTest {

    private final LogCapture logs = new LogCapture();
    private final List<String> whatsup = new ArrayList<>();
    private final List<String> patternAsked = new ArrayList<>();

    private List<String> client = List.of();
    private List<String> helo = List.of();
    private List<String> sender = List.of();
    private List<String> recipient = List.of();
    private List<String> data = List.of();
    private SmtpdSettings.AccessMaps maps = SmtpdSettings.AccessMaps.DEFAULTS;
    private List<String> parentMatches = SmtpdSettings.defaults("mx.example.com").access().parentDomainMatchesSubdomains();

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
            if (spec.startsWith("pattern:")) return new LookupTable() {
                public String spec() { return spec; }
                public boolean isPattern() { return true; }
                public Optional<String> find(String key) {
                    patternAsked.add(key);
                    return key.matches("(?i).*@spam\\.example") ? Optional.of(spec.substring(8).replaceAll("^\\{|\\}$", "")) : Optional.empty();
                }
            };
            return real.open(spec);
        }
    };

    /** The RCPT check for client mail.client.example[192.0.2.10], HELO helo.example; the reply or null. */
    private String rcpt(String from, String to) throws Exception {
        SmtpdSettings d = SmtpdSettings.defaults("mx.example.com");
        var a = d.access();
        SmtpdSettings s = d.with(new SmtpdSettings.Access(a.mynetworks(), a.mydestination(), List.of("relay.example"),
                parentMatches, client, helo, sender, List.of(), recipient, data,
                a.relayDomainsRejectCode(), a.rejectCode(), a.deferCode(), a.nonFqdnRejectCode(),
                a.multiRecipientBounceRejectCode())).with(maps);
        SmtpdTables tables = new SmtpdTables(s, opener);
        RestrictionEngine e = new RestrictionEngine(Restrictions.builtin(), tables);
        var ctx = new RestrictionContext(InetAddress.getByName("192.0.2.10"), "mail.client.example", "helo.example",
                from, to, null, false, "", "", tables, 0, (action, text) -> whatsup.add(action + ": " + text));
        SmtpReply r = e.checkRecipient(ctx).toCompletableFuture().get();
        return r == null ? null : r.code() + " " + r.enhanced() + " " + String.join(" ", r.lines());
    }

    private static final String S = "user@example.com";
    private static final String R = "rcpt@relay.example";

    private String sender(String value) throws Exception {
        sender = List.of("check_sender_access", "static:{" + value + "}");
        return rcpt(S, R);
    }

    @Test
    void rejectAndDeferWithPostfixTexts() throws Exception {
        assertEquals("554 5.7.1 <user@example.com>: Sender address rejected: Access denied", sender("REJECT"));
        assertEquals("554 5.7.1 <user@example.com>: Sender address rejected: go away", sender("reject go away"));
        assertEquals("554 5.7.9 <user@example.com>: Sender address rejected: go away", sender("REJECT 5.7.9 go away"));
        assertEquals("450 4.7.1 <user@example.com>: Sender address rejected: Access denied", sender("DEFER"));
        assertEquals("450 4.7.9 <user@example.com>: Sender address rejected: later", sender("DEFER 5.7.9 later"));
        maps = new SmtpdSettings.AccessMaps(Path.of(""), 550, 451, "<>", "", Map.of());
        assertEquals("550 5.7.1 <user@example.com>: Sender address rejected: Access denied", sender("REJECT"));
        assertEquals("451 4.7.1 <user@example.com>: Sender address rejected: Access denied", sender("DEFER"));
    }

    @Test
    void numericReplies() throws Exception {
        assertEquals("550 5.7.1 <user@example.com>: Sender address rejected: no thanks", sender("550 no thanks"));
        assertEquals("421 4.7.1 <user@example.com>: Sender address rejected: busy", sender("421 busy"));
        // The enhanced code's class follows the reply code.
        assertEquals("550 5.2.0 <user@example.com>: Sender address rejected: full", sender("550 4.2.0 full"));
        // Mailbox status codes are mapped for the sender ("4.1.1" would be a recipient's).
        assertEquals("550 5.1.7 <user@example.com>: Sender address rejected: unknown", sender("550 5.1.1 unknown"));
        assertTrue(logLines().contains("mapping DSN status 5.1.1 into Sender address status 5.1.7"), logLines().toString());
        // All-numerical values (and a code without text) mean OK: the rest of the list is skipped.
        for (String value : List.of("554", "1700000000")) {
            sender = List.of("check_sender_access", "static:" + value, "reject");
            assertNull(rcpt(S, R), value);
        }
        sender = List.of("check_sender_access", "static:DUNNO", "reject");
        assertEquals("554 5.7.1 <user@example.com>: Sender address rejected: Access denied", rcpt(S, R));
    }

    @Test
    void okEndsTheListDunnoGoesOn() throws Exception {
        sender = List.of("check_sender_access", "inline:{user@example.com=OK, other@example.com=DUNNO}", "reject");
        assertNull(rcpt(S, R));
        assertEquals("554 5.7.1 <other@example.com>: Sender address rejected: Access denied", rcpt("other@example.com", R));
        assertNull(sender("RELAY trailing text is ignored"));
    }

    @Test
    void warnAndInfoAreLoggedAndTheListGoesOn() throws Exception {
        recipient = List.of("reject");
        assertEquals("554 5.7.1 <rcpt@relay.example>: Recipient address rejected: Access denied",
                sender("WARN sender looks odd"));
        assertEquals(List.of("warn: sender looks odd"), whatsup);
        sender("INFO noted");
        assertEquals(List.of("warn: sender looks odd", "info: noted"), whatsup);
    }

    @Test
    void messageActionsAreNotSupportedYet() throws Exception {
        for (String action : List.of("HOLD", "DISCARD", "FILTER smtp:[127.0.0.1]:10025", "REDIRECT a@b.example",
                "BCC a@b.example", "PREPEND X-Test: yes", "HANGUP")) {
            assertEquals("451 4.3.5 Server configuration error", sender(action));
            String name = action.split(" ")[0];
            assertTrue(logLines().contains("warning: access table static:{" + action + "} entry \"user@example.com\" has "
                    + name + " action, which smarthost does not support yet"), logLines().toString());
        }
    }

    @Test
    void valuesThatAreRestrictionListsAndClasses() throws Exception {
        // relay.example is ours to relay to, elsewhere.example is not.
        sender = List.of("check_sender_access", "inline:{{user@example.com = permit_auth_destination, reject}}");
        assertNull(rcpt(S, R));
        assertEquals("554 5.7.1 <user@example.com>: Sender address rejected: Access denied", rcpt(S, "a@elsewhere.example"));

        Map<String, List<String>> classes = new LinkedHashMap<>();
        classes.put("strict", List.of("reject_unauth_destination"));
        classes.put("picky", List.of("strict", "permit"));
        maps = new SmtpdSettings.AccessMaps(Path.of(""), 554, 450, "<>", "", classes);
        sender = List.of("check_sender_access", "inline:{user@example.com=picky}");
        assertNull(rcpt(S, R));
        assertEquals("554 5.7.1 <a@elsewhere.example>: Relay access denied", rcpt(S, "a@elsewhere.example"));
        // A class name in a main.cf list.
        sender = List.of();
        recipient = List.of("strict");
        assertEquals("554 5.7.1 <a@elsewhere.example>: Relay access denied", rcpt(S, "a@elsewhere.example"));
        // Class names are case-sensitive, as in Postfix.
        recipient = List.of("STRICT");
        assertEquals("451 4.3.5 Server configuration error", rcpt(S, R));
        assertTrue(logLines().contains("warning: unknown smtpd restriction: \"STRICT\""));
    }

    @Test
    void bareTableInAClassChecksWhatTheMainCfListChecks() throws Exception {
        // Postfix's def_acl: in smtpd_recipient_restrictions a bare table is check_recipient_access,
        // also when reached through a sender table's value naming a class.
        maps = new SmtpdSettings.AccessMaps(Path.of(""), 554, 450, "<>", "",
                Map.of("byrcpt", List.of("inline:{{rcpt@relay.example=REJECT rcpt seen}}")));
        recipient = List.of("check_sender_access", "static:byrcpt");
        assertEquals("554 5.7.1 <rcpt@relay.example>: Recipient address rejected: rcpt seen", rcpt(S, R));
    }

    @Test
    void aClassThatNamesItselfStops() throws Exception {
        maps = new SmtpdSettings.AccessMaps(Path.of(""), 554, 450, "<>", "", Map.of("loop", List.of("loop")));
        recipient = List.of("loop");
        assertEquals("451 4.3.5 Server configuration error", rcpt(S, R));
        assertTrue(logLines().contains("warning: restriction class loop causes unreasonable recursion"));
    }

    @Test
    void unknownActionsAndTablesInValuesAreConfigurationErrors() throws Exception {
        assertEquals("451 4.3.5 Server configuration error", sender("FROBNICATE"));
        assertTrue(logLines().contains("warning: unknown smtpd restriction: \"FROBNICATE\""));
        assertEquals("451 4.3.5 Server configuration error", sender("check_client_access static:OK"));
        assertTrue(logLines().containsAll(List.of(
                "warning: access table static:{check_client_access static:OK} has entry with lookup table: check_client_access static:OK",
                "warning: do not specify lookup tables inside SMTPD access maps",
                "warning: define a restriction class and specify its name instead.")), logLines().toString());
    }

    @Test
    void aTableThatCannotAnswerDefers() throws Exception {
        sender = List.of("check_sender_access", "fail:x");
        assertEquals("451 4.3.5 <user@example.com>: Sender address rejected: Server configuration error", rcpt(S, R));
        assertTrue(logLines().containsAll(List.of("warning: fail:x: table lookup failed (fail: table)",
                "warning: fail:x lookup error for \"user@example.com\"")), logLines().toString());
        // A table that could not be opened, e.g. an unknown type.
        client = List.of("check_client_access", "nosuchtype:/etc/postfix/x");
        assertEquals("451 4.3.5 <mail.client.example[192.0.2.10]>: Client host rejected: Server configuration error",
                rcpt(S, R));
        assertTrue(logLines().contains("error: unsupported dictionary type: nosuchtype"), logLines().toString());
    }

    @Test
    void missingOrBadTableArgument() throws Exception {
        sender = List.of("check_sender_access");
        assertEquals("451 4.3.5 Server configuration error", rcpt(S, R));
        assertTrue(logLines().contains("warning: restriction check_sender_access: bad argument \"check_sender_access\": "
                + "need maptype:mapname"), logLines().toString());
        sender = List.of("check_sender_access", "permit");
        assertEquals("451 4.3.5 Server configuration error", rcpt(S, R));
        assertTrue(logLines().contains("warning: restriction check_sender_access: bad argument \"permit\": need maptype:mapname"));
    }

    @Test
    void bareTablesAreTheListsOwnCheck() throws Exception {
        client = List.of("inline:{192.0.2=REJECT}");
        assertEquals("554 5.7.1 <mail.client.example[192.0.2.10]>: Client host rejected: Access denied", rcpt(S, R));
        client = List.of();
        sender = List.of("inline:{example.com=REJECT}");
        assertEquals("554 5.7.1 <user@example.com>: Sender address rejected: Access denied", rcpt(S, R));
        sender = List.of();
        data = List.of("static:REJECT");
        SmtpdSettings d = SmtpdSettings.defaults("mx.example.com");
        var a = d.access();
        SmtpdTables tables = new SmtpdTables(d.with(new SmtpdSettings.Access(a.mynetworks(), a.mydestination(),
                a.relayDomains(), a.parentDomainMatchesSubdomains(), List.of(), List.of(), List.of(), List.of(),
                List.of(), data, 554, 554, 450, 504, 550)), opener);
        var e = new RestrictionEngine(Restrictions.builtin(), tables);
        var ctx = new RestrictionContext(InetAddress.getByName("192.0.2.10"), "mail.client.example", "helo.example",
                S, R, null, false, "", "", tables, 1, RestrictionContext.Whatsup.NONE);
        assertEquals(RestrictionEngine.SERVER_CONFIGURATION_ERROR, e.checkData(ctx).toCompletableFuture().get());
        assertTrue(logLines().contains("warning: specify one of (check_client_access, check_reverse_client_access, "
                + "check_helo_access, check_sender_access, check_recipient_access, check_etrn_access) before "
                + "Data command restriction \"static:REJECT\""), logLines().toString());
    }

    @Test
    void clientKeysNameBeforeAddressAndParentStyles() throws Exception {
        client = List.of("check_client_access", "inline:{{client.example=REJECT by name}, 192.0.2.10=OK}");
        assertEquals("554 5.7.1 <mail.client.example[192.0.2.10]>: Client host rejected: by name", rcpt(S, R));
        // Without smtpd_access_maps in parent_domain_matches_subdomains only ".client.example" matches subdomains.
        parentMatches = List.of("relay_domains");
        recipient = List.of("reject");
        assertEquals("554 5.7.1 <rcpt@relay.example>: Recipient address rejected: Access denied", rcpt(S, R));
        client = List.of("check_client_access", "inline:{{.client.example=REJECT by dot}}");
        assertEquals("554 5.7.1 <mail.client.example[192.0.2.10]>: Client host rejected: by dot", rcpt(S, R));
    }

    @Test
    void heloAndRecipientChecks() throws Exception {
        helo = List.of("check_helo_access", "inline:{{example=REJECT no such helo}}");
        assertEquals("554 5.7.1 <helo.example>: Helo command rejected: no such helo", rcpt(S, R));
        helo = List.of();
        recipient = List.of("check_recipient_access", "inline:{{rcpt@=550 5.1.1 gone}}");
        assertEquals("550 5.1.1 <rcpt@relay.example>: Recipient address rejected: gone", rcpt(S, R));
        // Keys are folded to lower case for fixed-string tables.
        assertEquals("550 5.1.1 <RCPT@Relay.Example>: Recipient address rejected: gone", rcpt(S, "RCPT@Relay.Example"));
        // A source-routed recipient never gets OK from a table (allow_untrusted_routing = no).
        recipient = List.of("check_recipient_access", "static:OK", "reject");
        assertNull(rcpt(S, R));
        assertEquals("554 5.7.1 <a%b@relay.example>: Recipient address rejected: Access denied", rcpt(S, "a%b@relay.example"));
    }

    @Test
    void extensionsAndTheNullSender() throws Exception {
        maps = new SmtpdSettings.AccessMaps(Path.of(""), 554, 450, "<>", "+", Map.of());
        sender = List.of("check_sender_access", "inline:{{user@example.com=REJECT no extensions}, {<>=REJECT no bounces}}");
        assertEquals("554 5.7.1 <user+tag@example.com>: Sender address rejected: no extensions", rcpt("user+tag@example.com", R));
        assertEquals("554 5.7.1 <>: Sender address rejected: no bounces", rcpt("", R));
        maps = new SmtpdSettings.AccessMaps(Path.of(""), 554, 450, "null-sender", "+", Map.of());
        sender = List.of("check_sender_access", "inline:{null-sender=REJECT}");
        assertEquals("554 5.7.1 <>: Sender address rejected: Access denied", rcpt("", R));
    }

    @Test
    void patternTablesGetTheWholeStringOnly() throws Exception {
        sender = List.of("check_sender_access", "pattern:{REJECT spammer}");
        assertNull(rcpt("user+x@sub.example.com", R));
        assertEquals(List.of("user+x@sub.example.com"), patternAsked);
        assertEquals("554 5.7.1 <a@spam.example>: Sender address rejected: spammer", rcpt("a@spam.example", R));
        patternAsked.clear();
        sender = List.of();
        client = List.of("check_client_access", "pattern:OK");
        rcpt(S, R);
        assertEquals(List.of("mail.client.example", "192.0.2.10"), patternAsked);
    }

    @Test
    void deferIfPermitTurnsALaterPermitIntoADeferral() throws Exception {
        client = List.of("check_client_access", "static:DEFER_IF_PERMIT");
        recipient = List.of("permit");
        assertEquals("450 4.7.1 <mail.client.example[192.0.2.10]>: Client host rejected: Service unavailable", rcpt(S, R));
        // A reject still wins.
        recipient = List.of("reject");
        assertEquals("554 5.7.1 <rcpt@relay.example>: Recipient address rejected: Access denied", rcpt(S, R));
        client = List.of("check_client_access", "static:{DEFER_IF_PERMIT 4.7.2 try later}", "permit");
        recipient = List.of();
        assertEquals("450 4.7.2 <mail.client.example[192.0.2.10]>: Client host rejected: try later", rcpt(S, R));
    }

    @Test
    void deferIfRejectTurnsARejectOfTheSameListIntoADeferral() throws Exception {
        sender = List.of("check_sender_access", "static:DEFER_IF_REJECT", "reject");
        assertEquals("450 4.7.1 <user@example.com>: Sender address rejected: Service unavailable", rcpt(S, R));
        // Only within the same check: the recipient list's reject stays a reject.
        sender = List.of("check_sender_access", "static:DEFER_IF_REJECT");
        recipient = List.of("reject");
        assertEquals("554 5.7.1 <rcpt@relay.example>: Recipient address rejected: Access denied", rcpt(S, R));
        // The built-in restrictions of the same names.
        sender = List.of("defer_if_reject", "reject");
        assertEquals("450 4.7.0 <user@example.com>: Sender address rejected: defer_if_reject requested", rcpt(S, R));
        sender = List.of("defer_if_permit");
        recipient = List.of();
        assertEquals("450 4.7.0 <user@example.com>: Sender address rejected: defer_if_permit requested", rcpt(S, R));
    }

    @Test
    void replyHelpers() {
        assertEquals(5, AccessAction.dsnLength("5.7.1 text"));
        assertEquals(9, AccessAction.dsnLength("4.123.456"));
        assertEquals(0, AccessAction.dsnLength("5.7.1text"));
        assertEquals(0, AccessAction.dsnLength("3.7.1 text"));
        assertEquals(0, AccessAction.dsnLength("5.1234.1 text"));
        org.slf4j.Logger log = LoggerFactory.getLogger("postfix/smtpd");
        assertEquals("4.1.3", AccessAction.fixDsn(log, "5.1.7", "Recipient address"));
        assertEquals("4.0.0", AccessAction.fixDsn(log, "5.1.1", "Client host"));
        assertEquals("5.7.1", AccessAction.fixDsn(log, "5.7.1", "Sender address"));
    }
}
