package org.smarthost.protocol.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class MxResolverTest {

    static TestDnsServer dns;

    @BeforeAll
    static void zone() throws Exception {
        dns = new TestDnsServer()
                .mx("example.test", 20, "mx3.example.test")
                .mx("example.test", 10, "mx1.example.test")
                .mx("example.test", 10, "mx2.example.test")
                .a("mx1.example.test", "127.0.0.11")
                .a("mx2.example.test", "127.0.0.12")
                .a("mx3.example.test", "127.0.0.13")
                .a("mx3.example.test", "::1")
                .a("noMx.test", "127.0.0.20")
                .mx("xn--exmple-cua.test", 10, "mx1.example.test")   // exämple.test
                .mx("nullmx.test", 0, ".")
                .mx("broken-mx.test", 10, "nowhere.test")
                .mx("lame-mx.test", 10, "failing.test")
                .servfail("failing.test")
                .servfail("servfail.test")
                .a("nodata.test", "127.0.0.30");
        // nodata.test has an A record only: an AAAA query answers NODATA.
    }

    @AfterAll
    static void stop() throws Exception {
        dns.close();
    }

    private static MxResolver resolver(InetProtocols protocols, int limit, Random random) {
        return new MxResolver(dns.client(),
                new MxResolver.Settings(protocols, MxResolver.AddressPreference.IPV4, limit, false), random);
    }

    private static DnsFailure failure(Runnable call) {
        try {
            call.run();
        } catch (CompletionException e) {
            return assertInstanceOf(DnsFailure.class, e.getCause());
        }
        throw new AssertionError("expected a DNS failure");
    }

    @Test
    void sortsByPreferenceAndShufflesEqualPreferences() {
        Set<String> firsts = new HashSet<>();
        Random random = new Random(42);
        for (int i = 0; i < 20; i++) {
            List<ServerAddress> servers = resolver(InetProtocols.ALL, 0, random).resolveMx("example.test", 25).join();
            assertEquals(4, servers.size());
            assertEquals(Set.of("mx1.example.test", "mx2.example.test"),
                    Set.of(servers.get(0).hostname(), servers.get(1).hostname()));
            assertEquals("mx3.example.test", servers.get(2).hostname());
            assertEquals("127.0.0.13", servers.get(2).addressText(), "ipv4 preferred within a host");
            assertEquals("::1", servers.get(3).addressText());
            assertEquals(20, servers.get(3).preference());
            assertEquals(25, servers.get(0).port());
            firsts.add(servers.get(0).hostname());
        }
        assertEquals(2, firsts.size(), "equal preferences come in both orders");
    }

    @Test
    void honoursInetProtocolsAndAddressLimit() {
        List<ServerAddress> v4 = resolver(InetProtocols.parse("ipv4"), 0, new Random()).resolveMx("example.test", 25).join();
        assertEquals(3, v4.size());
        assertTrue(v4.stream().noneMatch(s -> s.addressText().contains(":")));
        List<ServerAddress> limited = resolver(InetProtocols.ALL, 2, new Random()).resolveMx("example.test", 2525).join();
        assertEquals(2, limited.size());
        assertEquals(2525, limited.get(1).port());
    }

    @Test
    void fallsBackToAddressRecordsWithoutMx() {
        List<ServerAddress> servers = resolver(InetProtocols.ALL, 5, new Random()).resolveMx("nomx.test", 25).join();
        assertEquals(1, servers.size());
        assertEquals("nomx.test", servers.get(0).hostname());
        assertEquals("127.0.0.20", servers.get(0).addressText());
    }

    /** SMTPUTF8 mail to a UTF-8 domain: DNS is asked for its A-label form. */
    @Test
    void aUtf8DomainIsLookedUpByItsALabel() {
        List<ServerAddress> servers = resolver(InetProtocols.ALL, 5, new Random()).resolveMx("exämple.test", 25).join();
        assertEquals(List.of("127.0.0.11"), servers.stream().map(ServerAddress::addressText).toList());
    }

    @Test
    void nullMxIsPermanent() {
        DnsFailure f = failure(() -> resolver(InetProtocols.ALL, 5, new Random()).resolveMx("nullmx.test", 25).join());
        assertEquals("5.1.0", f.dsn());
        assertEquals("Domain nullmx.test does not accept mail (nullMX)", f.reason());
    }

    @Test
    void nxdomainIsPermanentServfailIsTransient() {
        DnsFailure nx = failure(() -> resolver(InetProtocols.ALL, 5, new Random()).resolveMx("nonexistent.test", 25).join());
        assertEquals("5.4.4", nx.dsn());
        assertEquals("Host or domain name not found. Name service error for name=nonexistent.test type=MX: Host not found",
                nx.reason());
        DnsFailure sf = failure(() -> resolver(InetProtocols.ALL, 5, new Random()).resolveMx("servfail.test", 25).join());
        assertTrue(sf.isTransient());
        assertEquals("4.4.3", sf.dsn());
        assertEquals("Host or domain name not found. Name service error for name=servfail.test type=MX: Host not found, try again",
                sf.reason());
    }

    @Test
    void mxHostsWithoutAddresses() {
        DnsFailure none = failure(() -> resolver(InetProtocols.ALL, 5, new Random()).resolveMx("broken-mx.test", 25).join());
        assertEquals("5.4.4", none.dsn());
        assertEquals("no MX host for broken-mx.test has a valid address record", none.reason());
        DnsFailure lame = failure(() -> resolver(InetProtocols.ALL, 5, new Random()).resolveMx("lame-mx.test", 25).join());
        assertEquals("4.4.3", lame.dsn());
        assertTrue(lame.reason().startsWith("Host or domain name not found. Name service error for name=failing.test type="),
                lame.reason());
    }

    @Test
    void hostLookupWithoutMx() {
        MxResolver r = resolver(InetProtocols.ALL, 5, new Random());
        assertEquals("127.0.0.11", r.resolveHost("mx1.example.test", 25).join().get(0).addressText());
        assertEquals("127.0.0.1", r.resolveHost("127.0.0.1", 25).join().get(0).addressText(), "literal, no DNS");
        assertEquals("::1", r.resolveHost("ipv6:::1", 25).join().get(0).addressText());
        // A host with an A record but asked for IPv6 only: NODATA, a permanent failure.
        MxResolver v6 = resolver(InetProtocols.parse("ipv6"), 5, new Random());
        DnsFailure nodata = failure(() -> v6.resolveHost("nodata.test", 25).join());
        assertEquals("5.4.4", nodata.dsn());
        assertEquals("Host or domain name not found. Name service error for name=nodata.test type=AAAA: "
                + "Host found but no data record of requested type", nodata.reason());
    }

    @Test
    void answersOverTcpToo() throws Exception {
        org.xbill.DNS.SimpleResolver tcp = new org.xbill.DNS.SimpleResolver(dns.address());
        tcp.setTCP(true);
        MxResolver r = new MxResolver(new DnsClient(tcp), MxResolver.Settings.defaults());
        assertEquals(4, r.resolveMx("example.test", 25).join().size());
    }
}
