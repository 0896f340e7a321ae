package org.smarthost.config.tables;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CidrTableTest {

    @TempDir
    Path dir;

    private final CollectingLog log = new CollectingLog();

    private LookupTable open(String text) throws Exception {
        Files.writeString(dir.resolve("clients.cidr"), text);
        return CidrTable.open("cidr:clients.cidr", "clients.cidr", log.context(dir));
    }

    @Test
    void firstMatchingRuleWinsForIpv4AndIpv6() throws Exception {
        LookupTable t = open("""
                # comment
                192.168.1.1          OK single
                192.168.0.0/16       REJECT lan
                [10.0.0.0]/8         DUNNO ten
                2001:db8::/32        REJECT v6
                ::ffff:172.16.0.1    OK mapped
                !0.0.0.0/1           PREPEND high
                """);
        assertTrue(t.isPattern());
        assertEquals(Optional.of("OK single"), t.find("192.168.1.1"));
        assertEquals(Optional.of("REJECT lan"), t.find("192.168.200.7"));
        assertEquals(Optional.of("DUNNO ten"), t.find("10.9.8.7"));
        assertEquals(Optional.of("REJECT v6"), t.find("2001:DB8:0:1::25"));
        assertEquals(Optional.of("OK mapped"), t.find("::ffff:172.16.0.1"));
        assertEquals(Optional.of("PREPEND high"), t.find("200.1.1.1"));
        assertEquals(Optional.empty(), t.find("100.1.1.1"));
        assertEquals(Optional.empty(), t.find("2001:db9::1"));      // a negated IPv4 rule never matches IPv6
        assertEquals(Optional.empty(), t.find("not-an-address"));
        assertEquals(Optional.empty(), t.find("192.168.01.1"));
        assertEquals(List.of(), log.warnings);
    }

    @Test
    void ifEndifBlocksNestAndNegate() throws Exception {
        LookupTable t = open("""
                if 10.0.0.0/8
                if !10.1.0.0/16
                10.0.0.0/8  outside 10.1
                endif
                10.1.2.3    inside
                ENDIF
                0.0.0.0/0   rest
                """);
        assertEquals(Optional.of("outside 10.1"), t.find("10.2.0.1"));
        assertEquals(Optional.of("inside"), t.find("10.1.2.3"));
        assertEquals(Optional.of("rest"), t.find("10.1.2.4"));
        assertEquals(Optional.of("rest"), t.find("11.0.0.1"));
        assertEquals(List.of(), log.warnings);
    }

    @Test
    void badRulesAreSkippedWithPostfixWarnings() throws Exception {
        LookupTable t = open("""
                10.0.0.1/8 x
                10.0.0.0/33 x
                10.0.0.0/ab x
                300.0.0.0/8 x
                10.0.0.1
                hostname x
                [10.0.0.1 x
                endif
                if 1.2.3.4
                1.2.3.4 ok
                """);
        assertEquals(Optional.of("ok"), t.find("1.2.3.4"));
        String p = "cidr map clients.cidr, line ";
        assertEquals(List.of(
                p + "1: non-null host address bits in \"10.0.0.1/8\", perhaps you should use \"10.0.0.0/8\" instead: skipping this rule",
                p + "2: bad mask length in \"10.0.0.0/33\": skipping this rule",
                p + "3: bad mask value in \"10.0.0.0/ab\": skipping this rule",
                p + "4: bad network value in \"300.0.0.0/8\": skipping this rule",
                p + "5: no lookup result: skipping this rule",
                p + "6: bad address pattern: \"hostname\": skipping this rule",
                p + "7: missing ']' character after \"[10.0.0.1\": skipping this rule",
                p + "8: ENDIF without IF: skipping this rule",
                p + "9: IF has no matching ENDIF"), log.warnings);
    }

    @Test
    void ipv6HostBitsSuggestionIsCompressed() throws Exception {
        open("2001:db8::1/32 x\n");
        assertEquals(List.of("cidr map clients.cidr, line 1: non-null host address bits in \"2001:db8::1/32\","
                + " perhaps you should use \"2001:db8::/32\" instead: skipping this rule"), log.warnings);
    }

    @Test
    void missingFile() {
        TableOpenException e = assertThrows(TableOpenException.class,
                () -> CidrTable.open("cidr:/nonexistent.cidr", "/nonexistent.cidr", log.context(dir)));
        assertEquals("open /nonexistent.cidr: No such file or directory", e.getMessage());
    }
}
