package org.smarthost.actors.resolve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;
import org.smarthost.config.tables.LookupTable;
import org.smarthost.config.tables.LookupTables;
import org.smarthost.config.tables.Maps;

class TrivialRewriteTest {

    private static final LookupTables TABLES = new LookupTables(Path.of("/nonexistent"), LoggerFactory.getLogger("test"));

    private static final ResolverSettings BASE = ResolverSettings.defaults("mail.example.com", "example.com",
            List.of(addr("127.0.0.1"), addr("::1")));

    private static InetAddress addr(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static ResolverSettings withProxy(ResolverSettings s) {
        return new ResolverSettings(s.myhostname(), s.mydestination(), s.inetInterfaces(), List.of(addr("203.0.113.5")),
                s.relayDomains(), s.relayDomainsParentStyle(), s.relayhost(), s.defaultTransport(), s.relayTransport(),
                s.localTransport(), s.virtualTransport(), s.virtualMailboxDomains(), s.virtualAliasDomains(),
                s.allowPercentHack(), s.swapBangpath(), s.emptyAddressRecipient(), s.showUserUnknownTableName(),
                s.resolveNullDomain(), s.resolveNumericDomain(), s.allowMinUser());
    }

    private static Arguments row(String name, UnaryOperator<ResolverSettings> config, String input,
                                 AddressClass cls, String transport, String nexthop, String recipient,
                                 Set<Resolution.Flag> flags) {
        return Arguments.of(name, config, input, cls, transport, nexthop, recipient, flags);
    }

    static Stream<Arguments> table() {
        UnaryOperator<ResolverSettings> dflt = s -> s;
        Set<Resolution.Flag> none = Set.of();
        Set<Resolution.Flag> error = Set.of(Resolution.Flag.ERROR);
        return Stream.of(
                row("remote domain -> default_transport, nexthop domain", dflt,
                        "user@remote.test", AddressClass.DEFAULT, "smtp", "remote.test", "user@remote.test", none),
                row("trailing dot stripped, case kept", dflt,
                        "User@Remote.Test.", AddressClass.DEFAULT, "smtp", "Remote.Test", "User@Remote.Test", none),
                row("myhostname is local, local_transport=local:$myhostname", dflt,
                        "user@mail.example.com", AddressClass.LOCAL, "local", "mail.example.com", "user@mail.example.com", none),
                row("localhost shares the local:$myhostname queue", dflt,
                        "user@LOCALHOST", AddressClass.LOCAL, "local", "mail.example.com", "user@LOCALHOST", none),
                row("bare user gets @$myhostname", dflt,
                        "user", AddressClass.LOCAL, "local", "mail.example.com", "user@mail.example.com", none),
                row("empty address -> empty_address_recipient", dflt,
                        "", AddressClass.LOCAL, "local", "mail.example.com", "MAILER-DAEMON@mail.example.com", none),
                row("user@ is bad syntax (resolve_null_domain=no)", dflt,
                        "user@", AddressClass.DEFAULT, "error", "5.1.3 bad address syntax", "user@", error),
                row("resolve_null_domain=yes: user@ is local", s -> s.withResolveFlags(true, false, false),
                        "user@", AddressClass.LOCAL, "local", "mail.example.com", "user@mail.example.com", none),
                row("routing operators before a null domain are still honoured", dflt,
                        "user%remote.test@", AddressClass.DEFAULT, "smtp", "remote.test", "user@remote.test", none),
                row("bare IP domain is bad syntax (resolve_numeric_domain=no)", dflt,
                        "user@192.0.2.1", AddressClass.DEFAULT, "error", "5.1.3 bad address syntax", "user@192.0.2.1",
                        error),
                row("resolve_numeric_domain=yes: bare IP becomes a literal", s -> s.withResolveFlags(false, true, false),
                        "user@192.0.2.1", AddressClass.DEFAULT, "smtp", "[192.0.2.1]", "user@[192.0.2.1]", none),
                row("resolve_numeric_domain=yes: our own address is local", s -> s.withResolveFlags(false, true, false),
                        "user@127.0.0.1", AddressClass.LOCAL, "local", "mail.example.com", "user@[127.0.0.1]", none),
                row("leading - is bad syntax (allow_min_user=no)", dflt,
                        "-oQ@remote.test", AddressClass.DEFAULT, "error", "5.1.3 bad address syntax", "-oQ@remote.test",
                        error),
                row("allow_min_user=yes", s -> s.withResolveFlags(false, false, true),
                        "-oQ@remote.test", AddressClass.DEFAULT, "smtp", "remote.test", "-oQ@remote.test", none),
                row("a lone dot domain is not stripped to nothing", dflt,
                        "user@.", AddressClass.DEFAULT, "error", "5.1.3 bad address syntax", "user@.", error),
                row("literal of inet_interfaces is local", dflt,
                        "user@[127.0.0.1]", AddressClass.LOCAL, "local", "mail.example.com", "user@[127.0.0.1]", none),
                row("IPv6 literal of inet_interfaces is local", dflt,
                        "user@[IPv6:::1]", AddressClass.LOCAL, "local", "mail.example.com", "user@[IPv6:::1]", none),
                row("literal of proxy_interfaces is local", TrivialRewriteTest::withProxy,
                        "user@[203.0.113.5]", AddressClass.LOCAL, "local", "mail.example.com", "user@[203.0.113.5]", none),
                row("foreign literal is remote", dflt,
                        "user@[192.0.2.1]", AddressClass.DEFAULT, "smtp", "[192.0.2.1]", "user@[192.0.2.1]", none),
                row("percent hack after local domain", dflt,
                        "user%remote.test@localhost", AddressClass.DEFAULT, "smtp", "remote.test", "user@remote.test", none),
                row("bang path after local domain", dflt,
                        "remote.test!user@localhost", AddressClass.DEFAULT, "smtp", "remote.test", "user@remote.test", none),
                row("user@remote@local", dflt,
                        "user@remote.test@localhost", AddressClass.DEFAULT, "smtp", "remote.test", "user@remote.test", none),
                row("operators in a remote local-part are ROUTED", dflt,
                        "user%third.test@remote.test", AddressClass.DEFAULT, "smtp", "remote.test",
                        "user%third.test@remote.test", Set.of(Resolution.Flag.ROUTED)),
                row("allow_percent_hack=no keeps % (ROUTED)", s -> s.withRoutingOperators(false, true),
                        "user%remote.test@localhost", AddressClass.LOCAL, "local", "mail.example.com",
                        "user%remote.test@localhost", Set.of(Resolution.Flag.ROUTED)),
                row("invalid domain is bad syntax", dflt,
                        "user@bad..test", AddressClass.DEFAULT, "error", "5.1.3 bad address syntax", "user@bad..test",
                        error),
                row("invalid literal is bad syntax", dflt,
                        "user@[300.1.1.1]", AddressClass.DEFAULT, "error", "5.1.3 bad address syntax",
                        "user@[300.1.1.1]", error),
                row("a UTF-8 domain with an A-label form is a domain (SMTPUTF8 mail)", dflt,
                        "user@exämple.test", AddressClass.DEFAULT, "smtp", "exämple.test", "user@exämple.test", none),
                row("a UTF-8 label with a leading hyphen is bad syntax", dflt,
                        "user@-ämple.test", AddressClass.DEFAULT, "error", "5.1.3 bad address syntax",
                        "user@-ämple.test", error),
                row("an IPv6 literal without its IPv6: tag is bad syntax", dflt,
                        "user@[::1]", AddressClass.DEFAULT, "error", "5.1.3 bad address syntax", "user@[::1]", error),
                row("relayhost overrides the domain", s -> s.withRelayhost("[relay.example.net]:587"),
                        "user@remote.test", AddressClass.DEFAULT, "smtp", "[relay.example.net]:587", "user@remote.test", none),
                row("relayhost does not touch local mail", s -> s.withRelayhost("[relay.example.net]"),
                        "user@localhost", AddressClass.LOCAL, "local", "mail.example.com", "user@localhost", none),
                row("relay_domains -> relay_transport", s -> s.withRelayDomains(List.of("relay.test")),
                        "u@relay.test", AddressClass.RELAY, "relay", "relay.test", "u@relay.test", none),
                row("relay_domains matches subdomains (parent_domain_matches_subdomains)",
                        s -> s.withRelayDomains(List.of("relay.test")),
                        "u@sub.relay.test", AddressClass.RELAY, "relay", "sub.relay.test", "u@sub.relay.test", none),
                row("relay class with relayhost", s -> s.withRelayDomains(List.of("relay.test")).withRelayhost("[gw.test]"),
                        "u@relay.test", AddressClass.RELAY, "relay", "[gw.test]", "u@relay.test", none),
                row("!pattern excludes", s -> s.withRelayDomains(List.of("!no.relay.test", "relay.test")),
                        "u@no.relay.test", AddressClass.DEFAULT, "smtp", "no.relay.test", "u@no.relay.test", none),
                row("virtual alias domain -> error:User unknown", s -> s.withVirtualDomains(List.of(), List.of("valias.test")),
                        "u@valias.test", AddressClass.VIRTUAL_ALIAS, "error", "User unknown in virtual alias table",
                        "u@valias.test", none),
                row("virtual mailbox domain -> virtual_transport", s -> s.withVirtualDomains(List.of("vmbox.test"), List.of()),
                        "u@vmbox.test", AddressClass.VIRTUAL_MAILBOX, "virtual", "vmbox.test", "u@vmbox.test", none),
                row("default_transport=error:text", s -> s.withTransports("error:5.7.1 outbound mail disabled", "relay",
                                "local:mail.example.com", "virtual"),
                        "u@remote.test", AddressClass.DEFAULT, "error", "5.7.1 outbound mail disabled", "u@remote.test", none),
                row("default_transport=retry:text", s -> s.withTransports("retry:4.3.2 maintenance", "relay",
                                "local:mail.example.com", "virtual"),
                        "u@remote.test", AddressClass.DEFAULT, "retry", "4.3.2 maintenance", "u@remote.test", none),
                row("discard: with empty nexthop keeps the domain", s -> s.withTransports("discard:", "relay",
                                "local:mail.example.com", "virtual"),
                        "u@remote.test", AddressClass.DEFAULT, "discard", "remote.test", "u@remote.test", none),
                row("transport:nexthop beats relayhost", s -> s.withRelayhost("[relay.test]").withTransports("smtp:[gw.test]:25",
                                "relay", "local:mail.example.com", "virtual"),
                        "u@remote.test", AddressClass.DEFAULT, "smtp", "[gw.test]:25", "u@remote.test", none),
                row("null transport is a lookup failure", s -> s.withTransports("smtp", "relay", "", "virtual"),
                        "u@localhost", AddressClass.DEFAULT, "retry", "4.3.0 address resolver failure", "u@localhost",
                        Set.of(Resolution.Flag.FAIL)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void resolves(String name, UnaryOperator<ResolverSettings> config, String input, AddressClass cls,
                  String transport, String nexthop, String recipient, Set<Resolution.Flag> flags) {
        Resolution r = new TrivialRewrite(config.apply(BASE)).resolve(input);
        assertEquals(new Resolution(cls, transport, nexthop, recipient, flags), r, name);
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({
            "example.com, true", "a, true", "a-b.c_d.e1, true", "_dmarc.example.org, true", "1a.example, true",
            "0.example, true", "host-1, true", "-a.example, false", "a-.example, false", "a..example, false",
            "a.example., false", ".a.example, false", "a b.example, false", "a@b, false", "127.0.0.1, false",
            "1.2.3, false", "1-2.3, true", "12, false"})
    void validHostnameIsPostfixsValidHostname(String name, boolean valid) {
        assertEquals(valid, TrivialRewrite.validHostname(name), name);
    }

    @Test
    void validHostnameLimitsLabelsTo63AndNamesTo255Octets() {
        String label63 = "a".repeat(63);
        assertTrue(TrivialRewrite.validHostname(label63 + ".example"));
        assertFalse(TrivialRewrite.validHostname(label63 + "a.example"));
        String name255 = String.join(".", label63, label63, label63, "a".repeat(63));
        assertEquals(255, name255.length());
        assertTrue(TrivialRewrite.validHostname(name255));
        assertFalse(TrivialRewrite.validHostname(name255 + "a"));
        assertFalse(TrivialRewrite.validHostname(""));
    }

    @Test
    void errorAndRetryReasons() {
        Resolution bounce = new TrivialRewrite(BASE.withVirtualDomains(List.of(), List.of("x.test")))
                .resolve("s@example.com", "u@x.test");
        assertTrue(bounce.isError());
        assertEquals("5.0.0", bounce.reasonStatus(), "error(8) default when the text has no detail code");
        assertEquals("User unknown in virtual alias table", bounce.reasonText());
        Resolution moved = bounce.withTransport("error", "5.1.6 User has moved to v@y.test");
        assertEquals("5.1.6", moved.reasonStatus());
        assertEquals("User has moved to v@y.test", moved.reasonText());
        Resolution plainError = bounce.withTransport("error", "mail for x.test is not deliverable");
        assertEquals("5.0.0", plainError.reasonStatus());
        Resolution retry = bounce.withTransport("retry", "try later");
        assertTrue(retry.isRetry());
        assertEquals("4.0.0", retry.reasonStatus());
        assertEquals("smtp:remote.test", bounce.withTransport("smtp", "remote.test").destination());
    }

    @Test
    void mydestinationFromTableAndLookupFailure() {
        ResolverSettings s = new ResolverSettings("mail.example.com", List.of("$myhostname-expanded", "inline:{hosted.test=OK}"),
                List.of(), List.of(), List.of(), true, "", "smtp", "relay", "local", "virtual",
                List.of(), List.of(), true, true, "MAILER-DAEMON", true, false, false, false);
        TrivialRewrite resolver = new TrivialRewrite(s, TABLES, "/etc/postfix");
        Resolution local = resolver.resolve("u@Hosted.Test");
        assertEquals(AddressClass.LOCAL, local.addressClass());
        assertEquals("Hosted.Test", local.nexthop(), "local_transport without :nexthop keeps the domain");
        assertEquals(AddressClass.DEFAULT, resolver.resolve("u@sub.hosted.test").addressClass(),
                "mydestination is a string list: no subdomain matching");

        ResolverSettings failing = new ResolverSettings("mail.example.com", List.of("proxy:mysql:/etc/postfix/down.cf"),
                List.of(), List.of(), List.of(), true, "", "smtp", "relay", "local", "virtual",
                List.of(), List.of(), true, true, "MAILER-DAEMON", true, false, false, false);
        Resolution fail = new TrivialRewrite(failing, TABLES, "/etc/postfix").resolve("u@remote.test");
        assertTrue(fail.failed(), "a table that cannot answer must not resolve to 'remote'");
        assertTrue(fail.isRetry());
        assertEquals("4.3.0", fail.reasonStatus());
    }

    @Test
    void relayDomainsWithoutParentStyleNeedDotPattern() {
        ResolverSettings s = new ResolverSettings("mail.example.com", List.of("mail.example.com"), List.of(), List.of(),
                List.of(".relay.test"), false, "", "smtp", "relay", "local", "virtual",
                List.of(), List.of(), true, true, "MAILER-DAEMON", true, false, false, false);
        TrivialRewrite resolver = new TrivialRewrite(s);
        assertEquals(AddressClass.RELAY, resolver.resolve("u@a.relay.test").addressClass());
        assertEquals(AddressClass.DEFAULT, resolver.resolve("u@relay.test").addressClass());
        assertFalse(resolver.isLocal("relay.test"));
    }

    @Test
    void transportMapsAndRelocatedChainAfterTheClassResolver() {
        Maps transport = TABLES.maps("transport_maps", "inline:{internal.test=:, slow.test=slow:, gw.test=:[gateway.test],"
                + " vip+news@remote.test=smtp:[news.test], .sub.test=uucp:example, *=smtp:[outbound.test],"
                + " user@ext.test=smtp:[stripped.test]}");
        Maps relocated = TABLES.maps("relocated_maps",
                "inline:{old@remote.test=new@elsewhere.test, @gone.test=contact@x.test, boss=boss@new.test}");
        TrivialRewrite base = new TrivialRewrite(BASE);
        AddressResolver chain = new ResolverChain(base, List.of(
                new TransportMapStage(transport, false, "+"),
                new RelocatedStage(relocated, base::isLocal, "+")));

        assertEquals("smtp:internal.test", chain.resolve("u@internal.test").destination(), ": changes nothing");
        assertEquals("slow:slow.test", chain.resolve("u@slow.test").destination(), "transport: resets nexthop to domain");
        assertEquals("smtp:[gateway.test]", chain.resolve("u@gw.test").destination(), ":nexthop keeps the transport");
        assertEquals("smtp:[news.test]", chain.resolve("vip+news@remote.test").destination());
        assertEquals("smtp:[stripped.test]", chain.resolve("user+tag@ext.test").destination(), "user@domain without the extension");
        assertEquals("uucp:example", chain.resolve("u@a.sub.test").destination());
        assertEquals("smtp:[outbound.test]", chain.resolve("u@other.test").destination(), "* wildcard");
        Resolution moved = chain.resolve("old@remote.test");
        assertEquals("error", moved.transport());
        assertEquals("5.1.6 User has moved to new@elsewhere.test", moved.nexthop());
        assertEquals("5.1.6 User has moved to contact@x.test", chain.resolve("anyone@gone.test").nexthop());
        assertEquals("5.1.6 User has moved to boss@new.test", chain.resolve("boss+x@mail.example.com").nexthop(),
                "a bare local-part, extension stripped, for local domains only");
        assertEquals("smtp:[outbound.test]", chain.resolve("boss@elsewhere.test").destination());

        AddressResolver withAlias = new ResolverChain(
                new TrivialRewrite(BASE.withVirtualDomains(List.of(), List.of("valias.test"))),
                List.of(new TransportMapStage(transport, false, "+")));
        assertEquals("error", withAlias.resolve("u@valias.test").transport(), "virtual alias class is never overridden");

        AddressResolver failing = new ResolverChain(base, List.of(new TransportMapStage(
                TABLES.maps("transport_maps", "inline:{u@a.test=x:}, mysql:/etc/postfix/transport.cf"), false, "")));
        assertEquals("x:a.test", failing.resolve("u@a.test").destination(), "the first table answered before the second was asked");
        assertTrue(failing.resolve("u@remote.test").failed(), "the second table cannot answer: defer, never guess");
        AddressResolver badThenTable = new ResolverChain(base, List.of(new TransportMapStage(
                TABLES.maps("transport_maps", "static:smtp:[anywhere.test]"), false, "")));
        assertEquals("error", badThenTable.resolve("u@bad..test").transport(), "tables never fix bad syntax");
    }

    private static TrivialRewrite senderDependent(ResolverSettings settings, String relayMaps, String transportMaps) {
        return new TrivialRewrite(settings, TABLES, "/etc/postfix", new SenderDependentMaps(
                TABLES.maps("sender_dependent_relayhost_maps", relayMaps),
                TABLES.maps("sender_dependent_default_transport_maps", transportMaps),
                "<>", "<>", "example.com", "+"));
    }

    @Test
    void senderDependentRelayhostOverridesRelayhostForRelayAndDefaultClasses() {
        ResolverSettings s = BASE.withRelayhost("[smart.test]").withRelayDomains(List.of("relay.test"))
                .withVirtualDomains(List.of("vmail.test"), List.of());
        TrivialRewrite r = senderDependent(s, "inline:{alice@a.test=[a-relay.test]:587, @b.test=[b-relay.test],"
                + " bob@c.test=DUNNO, @c.test=[never.test], <>=[bounce-relay.test], postmaster=[local-relay.test],"
                + " carol@d.test=[carol.test]}", "");

        assertEquals("smtp:[a-relay.test]:587", r.resolve("alice@a.test", "u@remote.test").destination());
        assertEquals("relay:[a-relay.test]:587", r.resolve("alice@a.test", "u@relay.test").destination(),
                "relay class too");
        assertEquals("smtp:[smart.test]", r.resolve("other@a.test", "u@remote.test").destination(), "no match: relayhost");
        assertEquals("smtp:[b-relay.test]", r.resolve("anyone+x@b.test", "u@remote.test").destination(), "@domain");
        assertEquals("smtp:[carol.test]", r.resolve("carol+news@d.test", "u@remote.test").destination(),
                "user@domain without the extension");
        assertEquals("smtp:[smart.test]", r.resolve("bob@c.test", "u@remote.test").destination(),
                "DUNNO stops the search and keeps relayhost");
        assertEquals("smtp:[never.test]", r.resolve("eve@c.test", "u@remote.test").destination());
        assertEquals("smtp:[bounce-relay.test]", r.resolve("", "u@remote.test").destination(),
                "null sender looked up as <>");
        assertEquals("smtp:[local-relay.test]", r.resolve("postmaster@example.com", "u@remote.test").destination(),
                "bare local-part for $myorigin");
        assertEquals("smtp:[local-relay.test]", r.resolve("postmaster@mail.example.com", "u@remote.test").destination(),
                "bare local-part for a local domain");
        assertEquals("smtp:[smart.test]", r.resolve("postmaster@elsewhere.test", "u@remote.test").destination(),
                "no bare local-part for a remote domain");
        assertEquals("local:mail.example.com", r.resolve("alice@a.test", "u@mail.example.com").destination(),
                "never for local mail");
        assertEquals("virtual:vmail.test", r.resolve("alice@a.test", "u@vmail.test").destination(),
                "never for virtual mailbox mail");

        TrivialRewrite noRelayhost = senderDependent(BASE, "inline:{bob@c.test=DUNNO}", "");
        assertEquals("smtp:remote.test", noRelayhost.resolve("bob@c.test", "u@remote.test").destination(),
                "DUNNO without relayhost: the recipient domain");

        TrivialRewrite emptyKey = new TrivialRewrite(s, TABLES, "/etc/postfix", new SenderDependentMaps(
                TABLES.maps("sender_dependent_relayhost_maps", "inline:{MAILER-DAEMON=[md.test]}"), null,
                "MAILER-DAEMON", "<>", "example.com", "+"));
        assertEquals("smtp:[md.test]", emptyKey.resolve("", "u@remote.test").destination(),
                "empty_address_relayhost_maps_lookup_key");
    }

    @Test
    void senderDependentDefaultTransportOverridesDefaultTransportOnly() {
        ResolverSettings s = BASE.withRelayhost("[smart.test]").withRelayDomains(List.of("relay.test"));
        TrivialRewrite r = senderDependent(s, "inline:{@a.test=[a-relay.test]}",
                "inline:{@a.test=uucp, @b.test=smtp:[b-direct.test], bob@b.test=DUNNO, <>=bounces}");

        assertEquals("uucp:[a-relay.test]", r.resolve("x@a.test", "u@remote.test").destination(),
                "transport from the sender table, nexthop from the sender relayhost");
        assertEquals("relay:[a-relay.test]", r.resolve("x@a.test", "u@relay.test").destination(),
                "relay class keeps relay_transport");
        assertEquals("smtp:[b-direct.test]", r.resolve("x@b.test", "u@remote.test").destination(),
                "transport:nexthop overrides the relayhost, as a main.cf transport:nexthop does");
        assertEquals("smtp:[smart.test]", r.resolve("bob@b.test", "u@remote.test").destination(),
                "DUNNO: default_transport");
        assertEquals("bounces:[smart.test]", r.resolve("", "u@remote.test").destination());

        AddressResolver chain = new ResolverChain(r, List.of(new TransportMapStage(
                TABLES.maps("transport_maps", "inline:{remote.test=slow:}"), false, "+")));
        assertEquals("slow:remote.test", chain.resolve("x@a.test", "u@remote.test").destination(),
                "transport_maps still wins");
        assertEquals("uucp:[a-relay.test]", chain.resolve("x@a.test", "u@other.test").destination());
    }

    @Test
    void senderDependentTableThatCannotAnswerDefers() {
        TrivialRewrite relay = senderDependent(BASE, "inline:{a@a.test=[a.test]}, mysql:/etc/postfix/relay.cf", "");
        assertEquals("smtp:[a.test]", relay.resolve("a@a.test", "u@remote.test").destination());
        Resolution failed = relay.resolve("b@a.test", "u@remote.test");
        assertTrue(failed.failed());
        assertEquals("retry", failed.transport());
        assertEquals(Resolution.RESOLVER_FAILURE, failed.nexthop());
        assertEquals("local", relay.resolve("b@a.test", "u@mail.example.com").transport(), "not asked for local mail");

        TrivialRewrite transport = senderDependent(BASE, "", "mysql:/etc/postfix/transport.cf");
        assertTrue(transport.resolve("b@a.test", "u@remote.test").failed());
        assertFalse(transport.resolve("b@a.test", "u@mail.example.com").failed());
    }

    @Test
    void derivedKeysAreNotAskedOfPatternTables() {
        List<String> asked = new ArrayList<>();
        LookupTable pattern = new LookupTable() {
            @Override public String spec() { return "regexp:/test"; }
            @Override public boolean isPattern() { return true; }
            @Override public Optional<String> find(String key) {
                asked.add(key);
                return Optional.empty();
            }
        };
        new TransportMapStage(new Maps("transport_maps", List.of(pattern)), false, "+")
                .apply(new TrivialRewrite(BASE).resolve("u+x@a.b.test"));
        assertEquals(List.of("u+x@a.b.test", "*"), asked);
    }

    @Test
    void settingsFromMainCfUsePostfixDefaults() throws Exception {
        ResolverSettings s = ResolverSettings.fromMainCf(Map.of("myhostname", "mx1.example.org",
                "inet_interfaces", "loopback-only", "relay_domains", "a.test, b.test", "relayhost", "[smart.test]:587"));
        assertEquals(List.of("mx1.example.org", "localhost.example.org", "localhost"), s.mydestination());
        assertEquals("local:mx1.example.org", s.localTransport());
        assertEquals(List.of("a.test", "b.test"), s.relayDomains());
        assertTrue(s.relayDomainsParentStyle());
        assertTrue(s.inetInterfaces().contains(InetAddress.getByName("127.0.0.1")));
        TrivialRewrite r = new TrivialRewrite(s);
        assertEquals("relay:[smart.test]:587", r.resolve("u@x.b.test").destination());
        assertEquals("smtp:[smart.test]:587", r.resolve("u@elsewhere.test").destination());
        assertEquals(AddressClass.LOCAL, r.resolve("u@[127.0.0.1]").addressClass());
        assertTrue(ResolverSettings.interfaces("all").contains(InetAddress.getByName("127.0.0.1")));
    }
}
