package org.smarthost.config.postmap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import org.smarthost.config.tables.LookupTables;

class PostmapTest {

    @TempDir
    Path dir;

    private Path conf;
    private String out;
    private String err;

    @BeforeEach
    void mainCf() throws Exception {
        conf = Files.createDirectory(dir.resolve("conf"));
        Files.writeString(conf.resolve("main.cf"), "myhostname = mx.example\n");
    }

    private int withInput(String stdin, String... args) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        int status = Postmap.run(new PrintStream(o, true, StandardCharsets.UTF_8), new PrintStream(e, true, StandardCharsets.UTF_8),
                new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), Map.of("MAIL_CONFIG", conf.toString()),
                dir, args);
        out = o.toString(StandardCharsets.UTF_8);
        err = e.toString(StandardCharsets.UTF_8);
        return status;
    }

    private int postmap(String... args) {
        return withInput("", args);
    }

    @Test
    void buildsTheDefaultTypeAndQueriesIt() throws Exception {
        Files.writeString(dir.resolve("transport"), "example.com smtp:[a]\nB.example relay:[b]\nbad\nb.example dup\n");
        Files.setPosixFilePermissions(dir.resolve("transport"), PosixFilePermissions.fromString("rw-r-----"));
        assertEquals(0, postmap("transport"));
        assertEquals("", out);
        assertEquals("postmap: warning: transport, line 3: expected format: key whitespace value\n"
                + "postmap: warning: transport: duplicate entry: \"b.example\"\n", err);
        assertTrue(Files.exists(dir.resolve("transport.db")));          // default_database_type = hash
        assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("transport.db"))));

        assertEquals(0, postmap("-q", "b.EXAMPLE", "transport"));
        assertEquals("relay:[b]\n", out);
        assertEquals(0, postmap("-q", "example.com", "hash:transport"));
        assertEquals("smtp:[a]\n", out);
        assertEquals(1, postmap("-q", "nowhere", "transport"));
        assertEquals("", out);

        assertEquals(0, postmap("-s", "hash:transport"));
        assertEquals("b.example\trelay:[b]\nexample.com\tsmtp:[a]\n", out);
        assertEquals(0, postmap("-sj", "hash:transport"));
        assertEquals("{\"b.example\": \"relay:[b]\"}\n{\"example.com\": \"smtp:[a]\"}\n", out);
    }

    @Test
    void defaultDatabaseTypeComesFromMainCf() throws Exception {
        Files.writeString(conf.resolve("main.cf"), "default_database_type = cdb\n");
        Files.writeString(dir.resolve("t"), "k v\n");
        assertEquals(0, postmap("t"));
        assertTrue(Files.exists(dir.resolve("t.cdb")));
        assertFalse(Files.exists(dir.resolve("t.db")));
        assertEquals(0, postmap("-q", "k", "t"));
        assertEquals("v\n", out);
    }

    @Test
    void queriesFromStdinAcrossTablesOfAnyType() throws Exception {
        Files.writeString(dir.resolve("a"), "one 1\n");
        Files.writeString(dir.resolve("b.regexp"), "/^t(.*)$/ T$1\n");
        Files.writeString(dir.resolve("c.cidr"), "10.0.0.0/8 ten\n");
        assertEquals(1, postmap("-q", "-", "texthash:a", "regexp:b.regexp", "cidr:c.cidr", "inline:{x=y}"));
        assertEquals(0, withInput("one\ntwo\nthree\n10.1.1.1\nnone\nx\n",
                "-q", "-", "texthash:a", "regexp:b.regexp", "cidr:c.cidr", "inline:{x=y}"));
        assertEquals("one\t1\ntwo\tTwo\nthree\tThree\n10.1.1.1\tten\nx\ty\n", out);
        assertEquals(1, withInput("none\n", "-q", "-", "texthash:a"));
        assertEquals(0, postmap("-q", "10.2.3.4", "proxy:cidr:c.cidr"));
        assertEquals("ten\n", out);
    }

    @Test
    void incrementalAndDelete() throws Exception {
        assertEquals(0, withInput("a 1\nb 2\n", "-i", "btree:t"));
        assertEquals(0, withInput("c 3\n", "-i", "btree:t"));
        assertEquals(0, postmap("-d", "A", "btree:t"));
        assertEquals(1, postmap("-d", "A", "btree:t"));
        assertEquals(0, withInput("b\nzz\n", "-d", "-", "btree:t"));
        assertEquals(0, postmap("-s", "btree:t"));
        assertEquals("c\t3\n", out);
    }

    @Test
    void foldingAndDuplicateSwitches() throws Exception {
        Files.writeString(dir.resolve("t"), "Key 1\nkey 2\nKey 3\n");
        assertEquals(0, postmap("-f", "-w", "t"));
        assertEquals("", err);
        assertEquals(0, postmap("-f", "-s", "t"));
        assertEquals("Key\t1\nkey\t2\n", out);
        assertEquals(1, postmap("-f", "-q", "KEY", "t"));
        assertEquals(0, postmap("-r", "t"));
        assertEquals("", err);
        assertEquals(0, postmap("-q", "KEY", "t"));
        assertEquals("3\n", out);
        assertEquals(0, postmap("-nNoup", "t"));            // accepted, no effect on smarthost's format
    }

    @Test
    void fatalErrorsInPostfixWords() throws Exception {
        assertEquals(1, postmap("missing"));
        assertEquals("postmap: fatal: open missing: No such file or directory\n", err);
        assertEquals(1, postmap("-q", "k", "missing"));
        assertEquals("postmap: fatal: open database missing.db: No such file or directory\n", err);
        assertEquals(1, postmap("-q", "k", "mysql:/etc/x.cf"));
        assertEquals("postmap: fatal: unsupported dictionary type: mysql\n", err);
        assertEquals(1, postmap("mysql:/etc/x.cf"));
        assertEquals("postmap: fatal: unsupported map type: mysql\n", err);
        assertEquals(1, postmap("texthash:x"));
        assertEquals("postmap: fatal: no 'map create' support for this type: texthash\n", err);
        assertEquals(1, postmap("proxy:hash:x"));
        assertEquals("postmap: fatal: can't create maps via the proxy service\n", err);
        assertEquals(1, postmap("-q", "k", "-s", "x"));
        assertEquals("postmap: fatal: specify only one of -d -i -q or -s\n", err);
        assertEquals(1, postmap());
        assertEquals("postmap: fatal: " + Postmap.USAGE + "\n", err);
        assertEquals(1, postmap("-Z", "x"));
        assertEquals("postmap: invalid option -- 'Z'\npostmap: fatal: " + Postmap.USAGE + "\n", err);
        assertEquals(1, postmap("-q"));
        assertEquals("postmap: option requires an argument -- 'q'\npostmap: fatal: " + Postmap.USAGE + "\n", err);
        assertEquals(1, postmap("-b", "-q", "-", "x"));
        assertEquals("postmap: fatal: option -b is not implemented by smarthost\n", err);
        Files.writeString(dir.resolve("r"), "/a/ b\n");
        assertEquals(1, postmap("-s", "regexp:r"));
        assertEquals("postmap: fatal: table regexp:r: sequence operation is not supported\n", err);
        assertEquals(1, postmap("-q", "k", "fail:x"));
        assertTrue(err.startsWith("postmap: fatal: table fail:x: query error: "), err);
        assertEquals(1, postmap("-c", dir.resolve("noconf").toString(), "x"));
        assertEquals("postmap: fatal: open " + dir.resolve("noconf/main.cf") + ": No such file or directory\n", err);
    }

    @Test
    void aTableBuiltByPostmapIsReadByTheServersLookupTables() throws Exception {
        Path etc = Files.createDirectory(dir.resolve("etc"));
        Files.writeString(etc.resolve("virtual"), "info@example.com  joe@example.net\n");
        assertEquals(0, postmap("lmdb:" + etc.resolve("virtual")));
        LookupTables tables = new LookupTables(Path.of("/nonexistent"), LoggerFactory.getLogger("test"));
        assertEquals(Optional.of("joe@example.net"),
                tables.maps("virtual_alias_maps", "lmdb:" + etc.resolve("virtual")).find("INFO@example.com"));
    }
}
