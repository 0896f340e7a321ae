package org.smarthost.protocol.smtpd;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * check_client_access, check_helo_access, check_sender_access and check_recipient_access on a
 * real server: Postfix's replies and its "NOQUEUE: reject:" and "warn:" log lines.
 */
class SmtpdAccessTest extends SmtpdTestSupport {

    private static final String ENVELOPE_LOG = "; from=<user@example.com> to=<a@" + HOST + "> proto=ESMTP helo=<client.example>";

    private static SmtpdSettings lists(List<String> client, List<String> helo, List<String> sender, List<String> recipient) {
        SmtpdSettings s = defaults();
        SmtpdSettings.Access a = s.access();
        return s.with(new SmtpdSettings.Access(a.mynetworks(), a.mydestination(), a.relayDomains(),
                a.parentDomainMatchesSubdomains(), client, helo, sender, a.smtpdRelayRestrictions(), recipient,
                a.smtpdDataRestrictions(), a.relayDomainsRejectCode(), a.rejectCode(), a.deferCode(),
                a.nonFqdnRejectCode(), a.multiRecipientBounceRejectCode()));
    }

    private String rcpt(SmtpdSettings settings) throws Exception {
        SmtpTestClient c = ehlo(start(settings));
        assertEquals("250 2.1.0 Ok", c.cmd("MAIL FROM:<user@example.com>"));
        return c.cmd("RCPT TO:<a@" + HOST + ">");
    }

    @Test
    void senderRejected() throws Exception {
        String reply = "554 5.7.1 <user@example.com>: Sender address rejected: Access denied";
        assertEquals(reply, rcpt(lists(List.of(), List.of(),
                List.of("check_sender_access inline:{example.com=REJECT}"), List.of())));
        logs.await(l -> l.equals("NOQUEUE: reject: RCPT from localhost[127.0.0.1]: " + reply + ENVELOPE_LOG));
    }

    @Test
    void clientRejectedByAddressWithConfiguredCode() throws Exception {
        SmtpdSettings s = lists(List.of("check_client_access", "inline:{127.0.0=REJECT}"), List.of(), List.of(), List.of())
                .with(new SmtpdSettings.AccessMaps(Path.of(""), 550, 450, "<>", "", Map.of()));
        String reply = "550 5.7.1 <localhost[127.0.0.1]>: Client host rejected: Access denied";
        assertEquals(reply, rcpt(s));
        logs.await(l -> l.equals("NOQUEUE: reject: RCPT from localhost[127.0.0.1]: " + reply + ENVELOPE_LOG));
    }

    @Test
    void heloRejectedWithText() throws Exception {
        assertEquals("554 5.7.1 <client.example>: Helo command rejected: Go away",
                rcpt(lists(List.of(), List.of("check_helo_access inline:{{client.example = REJECT Go away}}"),
                        List.of(), List.of())));
    }

    @Test
    void recipientWarnIsLoggedAndAccepted() throws Exception {
        assertEquals("250 2.1.5 Ok", rcpt(lists(List.of(), List.of(), List.of(),
                List.of("check_recipient_access inline:{{a@" + HOST + " = WARN watch this}}"))));
        logs.await(l -> l.equals("NOQUEUE: warn: RCPT from localhost[127.0.0.1]: watch this" + ENVELOPE_LOG));
    }

    @Test
    void tableThatCannotBeOpenedDefers() throws Exception {
        String reply = "451 4.3.5 <user@example.com>: Sender address rejected: Server configuration error";
        assertEquals(reply, rcpt(lists(List.of(), List.of(), List.of("check_sender_access", "nosuchtype:access"), List.of())));
        logs.await(l -> l.equals("error: unsupported dictionary type: nosuchtype"));
        logs.await(l -> l.equals("warning: nosuchtype:access is unavailable. unsupported dictionary type: nosuchtype"));
        logs.await(l -> l.equals("warning: nosuchtype:access lookup error for \"user@example.com\""));
        logs.await(l -> l.equals("NOQUEUE: reject: RCPT from localhost[127.0.0.1]: " + reply + ENVELOPE_LOG));
    }

    @Test
    void restrictionClassFromATable() throws Exception {
        SmtpdSettings s = lists(List.of(), List.of(), List.of("check_sender_access inline:{example.com=strict}"), List.of())
                .with(new SmtpdSettings.AccessMaps(Path.of(""), 554, 450, "<>", "",
                        Map.of("strict", List.of("reject_non_fqdn_recipient", "defer"))));
        SmtpTestClient c = ehlo(start(s));
        c.cmd("MAIL FROM:<user@example.com>");
        assertEquals("504 5.5.2 <a@nodot>: Recipient address rejected: need fully-qualified address", c.cmd("RCPT TO:<a@nodot>"));
        assertEquals("450 4.3.2 <user@example.com>: Sender address rejected: Try again later", c.cmd("RCPT TO:<a@" + HOST + ">"));
    }
}
