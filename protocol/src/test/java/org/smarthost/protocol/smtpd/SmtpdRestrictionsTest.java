package org.smarthost.protocol.smtpd;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.smarthost.config.tables.DomainList;
import org.smarthost.config.tables.TableOpener;
import org.smarthost.protocol.smtpd.restrictions.NetworkList;
import org.smarthost.protocol.smtpd.restrictions.SmtpdTables;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Relay control at RCPT time with Postfix's replies and NOQUEUE log lines. */
class SmtpdRestrictionsTest extends SmtpdTestSupport {

    /** 127.0.0.1 is not in mynetworks here, so it is an outside client. */
    static SmtpdSettings outsider() {
        return withNetworks(defaults(), List.of("192.0.2.0/24"), List.of(HOST, "localhost"), List.of("relay.example"));
    }

    @Test
    void defaultRelayRestrictionsDeferUnauthorizedDestinations() throws Exception {
        SmtpServer server = start(outsider());
        SmtpTestClient c = ehlo(server);
        assertEquals("250 2.1.0 Ok", c.cmd("MAIL FROM:<s@example.org>"));
        assertEquals("454 4.7.1 <a@elsewhere.example>: Relay access denied", c.cmd("RCPT TO:<a@elsewhere.example>"));
        logs.await(l -> l.equals("NOQUEUE: reject: RCPT from localhost[127.0.0.1]: 454 4.7.1 <a@elsewhere.example>: "
                + "Relay access denied; from=<s@example.org> to=<a@elsewhere.example> proto=ESMTP helo=<client.example>"));
        assertEquals("250 2.1.5 Ok", c.cmd("RCPT TO:<postmaster@" + HOST + ">"));
        assertEquals("250 2.1.5 Ok", c.cmd("RCPT TO:<user@LOCALHOST>"));
        assertEquals("250 2.1.5 Ok", c.cmd("RCPT TO:<user@relay.example>"));
        // relay_domains matches subdomains (parent_domain_matches_subdomains), mydestination does not.
        assertEquals("250 2.1.5 Ok", c.cmd("RCPT TO:<user@sub.relay.example>"));
        assertEquals("454 4.7.1 <user@sub." + HOST + ">: Relay access denied", c.cmd("RCPT TO:<user@sub." + HOST + ">"));
        // Routing tricks through a local domain are not relaying permission.
        assertEquals("454 4.7.1 <user%elsewhere.example@" + HOST + ">: Relay access denied",
                c.cmd("RCPT TO:<user%elsewhere.example@" + HOST + ">"));
        assertEquals("250 2.1.5 Ok", c.cmd("RCPT TO:<postmaster>"));
        c.cmd("DATA");
        assertTrue(c.cmd("x\r\n.").startsWith("250 "));
        assertEquals(List.of("postmaster@" + HOST, "user@LOCALHOST", "user@relay.example", "user@sub.relay.example", "postmaster"),
                awaitMessage(0).recipients().stream().map(RcptTo::address).toList());
        assertEquals("221 2.0.0 Bye", c.cmd("QUIT"));
        logs.await(l -> l.equals("disconnect from localhost[127.0.0.1] ehlo=1 mail=1 rcpt=5/8 data=1 quit=1 commands=9/12"));
    }

    @Test
    void relayDomainsFromATableAndATableThatCannotAnswer() throws Exception {
        SmtpServer server = start(withNetworks(defaults(), List.of("192.0.2.0/24"), List.of(HOST),
                List.of("inline:{relay.example=OK, partner.example=OK}", "!excluded.relay.example")));
        SmtpTestClient c = ehlo(server);
        c.cmd("MAIL FROM:<s@example.org>");
        assertEquals("250 2.1.5 Ok", c.cmd("RCPT TO:<a@Partner.Example>"));
        assertEquals("250 2.1.5 Ok", c.cmd("RCPT TO:<a@sub.relay.example>"), "parent style: the table's key covers subdomains");
        assertEquals("454 4.7.1 <a@elsewhere.example>: Relay access denied", c.cmd("RCPT TO:<a@elsewhere.example>"));

        SmtpServer broken = start(withNetworks(defaults(), List.of("192.0.2.0/24"), List.of(HOST),
                List.of("hash:/nonexistent/relay_domains")));
        SmtpTestClient d = ehlo(broken);
        d.cmd("MAIL FROM:<s@example.org>");
        assertEquals("451 4.3.0 <a@elsewhere.example>: Temporary lookup failure", d.cmd("RCPT TO:<a@elsewhere.example>"));
        logs.await(l -> l.equals("warning: hash:/nonexistent/relay_domains is unavailable. "
                + "open database /nonexistent/relay_domains.db: No such file or directory"));
    }

    @Test
    void mynetworksFromAFileAndATable(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path file = dir.resolve("mynetworks");
        java.nio.file.Files.writeString(file, "# ours\n192.0.2.0/24, !198.51.100.7\n");
        java.nio.file.Path cidr = dir.resolve("networks.cidr");
        java.nio.file.Files.writeString(cidr, "198.51.100.0/24 OK\n2001:db8::/32 OK\n");
        var tables = new org.smarthost.config.tables.LookupTables(dir, org.slf4j.LoggerFactory.getLogger("test"));
        NetworkList n = NetworkList.parse("mynetworks", List.of(file.toString(), "cidr:" + cidr), tables);
        assertTrue(n.matches(InetAddress.getByName("192.0.2.9")));
        assertFalse(n.matches(InetAddress.getByName("198.51.100.7")), "the file's exclusion comes first");
        assertTrue(n.matches(InetAddress.getByName("198.51.100.8")));
        assertTrue(n.matches(InetAddress.getByName("2001:db8::5")));
        assertFalse(n.matches(InetAddress.getByName("203.0.113.1")));

        SmtpServer server = start(withNetworks(defaults(), List.of("hash:/nonexistent/mynetworks"), List.of(HOST),
                List.of()));
        SmtpTestClient c = ehlo(server);
        c.cmd("MAIL FROM:<s@example.org>");
        assertEquals("451 4.3.0 <a@elsewhere.example>: Temporary lookup failure", c.cmd("RCPT TO:<a@elsewhere.example>"),
                "permit_mynetworks cannot tell: try again, never relay or refuse for good");
    }

    @Test
    void mynetworksClientsMayRelay() throws Exception {
        SmtpServer server = start(defaults());
        SmtpTestClient c = ehlo(server);
        c.cmd("MAIL FROM:<s@example.org>");
        assertEquals("250 2.1.5 Ok", c.cmd("RCPT TO:<a@elsewhere.example>"));
    }

    @Test
    void rejectUnauthDestinationAndNonFqdnChecks() throws Exception {
        SmtpServer server = start(withRestrictions(outsider(), List.of(),
                List.of("reject_non_fqdn_sender", "reject_non_fqdn_recipient", "permit_mynetworks", "reject_unauth_destination")));
        SmtpTestClient c = ehlo(server);
        c.cmd("MAIL FROM:<s@example.org>");
        assertEquals("554 5.7.1 <a@elsewhere.example>: Relay access denied", c.cmd("RCPT TO:<a@elsewhere.example>"));
        assertEquals("504 5.5.2 <user@localhost>: Recipient address rejected: need fully-qualified address",
                c.cmd("RCPT TO:<user@localhost>"));
        assertEquals("250 2.1.5 Ok", c.cmd("RCPT TO:<user@" + HOST + ">"));
        c.cmd("RSET");
        c.cmd("MAIL FROM:<s@nodots>");
        assertEquals("504 5.5.2 <s@nodots>: Sender address rejected: need fully-qualified address",
                c.cmd("RCPT TO:<user@" + HOST + ">"));
    }

    @Test
    void genericRejectDeferAndPermit() throws Exception {
        SmtpServer server = start(withRestrictions(outsider(), List.of("permit_auth_destination", "defer"), List.of("reject")));
        SmtpTestClient c = ehlo(server);
        c.cmd("MAIL FROM:<s@example.org>");
        assertEquals("450 4.3.2 <a@elsewhere.example>: Recipient address rejected: Try again later", c.cmd("RCPT TO:<a@elsewhere.example>"));
        assertEquals("554 5.7.1 <u@relay.example>: Recipient address rejected: Access denied", c.cmd("RCPT TO:<u@relay.example>"));
    }

    @Test
    void unknownRestrictionIsAServerConfigurationError() throws Exception {
        SmtpServer server = start(withRestrictions(defaults(), List.of("permit_mynetworks, no_such_restriction"), List.of()));
        SmtpTestClient c = ehlo(server);
        c.cmd("MAIL FROM:<s@example.org>");
        // permit_mynetworks matches first, so the bad name is not reached for this client...
        assertEquals("250 2.1.5 Ok", c.cmd("RCPT TO:<a@elsewhere.example>"));
        SmtpServer server2 = start(withRestrictions(outsider(), List.of("permit_mynetworks, no_such_restriction"), List.of()));
        SmtpTestClient d = ehlo(server2);
        d.cmd("MAIL FROM:<s@example.org>");
        // ...but it is for one outside mynetworks.
        assertEquals("451 4.3.5 Server configuration error", d.cmd("RCPT TO:<a@elsewhere.example>"));
        logs.await(l -> l.equals("warning: unknown smtpd restriction: \"no_such_restriction\""));
    }

    @Test
    void networkListMatchesIpv4Ipv6AndMappedAddresses() throws Exception {
        NetworkList n = NetworkList.parse("mynetworks", List.of("127.0.0.0/8 [::1]/128", "192.0.2.0/25, !10.1.0.0/16 10.0.0.0/8", "[2001:db8::]/32"));
        assertTrue(n.matches(InetAddress.getByName("127.9.9.9")));
        assertTrue(n.matches(InetAddress.getByName("::1")));
        assertTrue(n.matches(InetAddress.getByName("192.0.2.127")));
        assertFalse(n.matches(InetAddress.getByName("192.0.2.128")));
        assertFalse(n.matches(InetAddress.getByName("10.1.2.3")));
        assertTrue(n.matches(InetAddress.getByName("10.2.2.3")));
        assertTrue(n.matches(InetAddress.getByName("2001:db8:ffff::1")));
        assertFalse(n.matches(InetAddress.getByName("2001:db9::1")));
        assertFalse(n.matches(InetAddress.getByName("::2")));
        NetworkList mapped = NetworkList.parse("mynetworks", List.of("[::ffff:127.0.0.0]/104"));
        assertTrue(mapped.matches(InetAddress.getByName("127.0.0.1")));
    }

    @Test
    void domainListSubdomainSemantics() {
        DomainList parent = DomainList.of("relay_domains",
                DomainList.split("example.com, .only-subs.example !no.example.net example.net"),
                DomainList.Style.DOMAIN, true, TableOpener.NONE);
        assertTrue(parent.matches("example.com"));
        assertTrue(parent.matches("a.b.EXAMPLE.com"));
        assertFalse(parent.matches("only-subs.example"));
        assertTrue(parent.matches("x.only-subs.example"));
        assertFalse(parent.matches("no.example.net"));
        assertTrue(parent.matches("yes.example.net"));
        DomainList exact = DomainList.of("mydestination", List.of("example.com"), DomainList.Style.STRING, false,
                TableOpener.NONE);
        assertTrue(exact.matches("example.com"));
        assertFalse(exact.matches("sub.example.com"));
        assertTrue(new SmtpdTables(defaults()).isAuthorizedDestination("u@" + HOST));
        assertFalse(new SmtpdTables(defaults()).isAuthorizedDestination("u@example.net"));
    }
}
