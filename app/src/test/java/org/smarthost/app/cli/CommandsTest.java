package org.smarthost.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommandsTest {

    @TempDir
    Path dir;

    @Test
    void postmapIsDispatchedToTheRealCommand() throws Exception {
        Files.writeString(dir.resolve("main.cf"), "default_database_type = btree\n");
        Path source = dir.resolve("transport");
        Files.writeString(source, "example.com smtp:[relay]\n");
        String conf = dir.toString();
        assertTrue(Commands.names().contains("postmap"));
        assertEquals(0, Commands.run("postmap", new String[] {"-c", conf, source.toString()}));
        assertTrue(Files.exists(dir.resolve("transport.db")));
        assertEquals(0, Commands.run("postmap", new String[] {"-c", conf, "-q", "EXAMPLE.COM", source.toString()}));
        assertEquals(1, Commands.run("postmap", new String[] {"-c", conf, "-q", "other", source.toString()}));
    }
}
