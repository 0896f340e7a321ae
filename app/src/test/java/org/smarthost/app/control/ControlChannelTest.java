package org.smarthost.app.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ControlChannelTest {

    @TempDir
    Path queue;

    @Test
    void streamsStdoutStderrAndExitStatusOverAPrivateUnixSocket() throws Exception {
        try (ControlServer server = ControlServer.bind(queue)) {
            server.register("echo", (args, out, err) -> {
                out.println(String.join(" ", args));
                err.println("echo: warning: to stderr");
                out.print("ünïcode ✓");
                return 3;
            });
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(queue.resolve("private"))));
            ControlClient client = new ControlClient(queue);
            assertTrue(client.isServerRunning());
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int status = client.call("echo", List.of("a", "b c"), out, err);
            assertEquals(3, status);
            assertEquals("a b c" + System.lineSeparator() + "ünïcode ✓", out.toString(StandardCharsets.UTF_8));
            assertEquals("echo: warning: to stderr" + System.lineSeparator(), err.toString(StandardCharsets.UTF_8));
        }
    }

    @Test
    void unknownCommandsAndFailuresBecomeFatalMessages() throws Exception {
        try (ControlServer server = ControlServer.bind(queue)) {
            server.register("boom", (args, out, err) -> {
                throw new IllegalStateException("queue file write error");
            });
            ControlClient client = new ControlClient(queue);
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            assertEquals(1, client.call("nosuch", List.of(), new ByteArrayOutputStream(), err));
            assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("nosuch: fatal: "), err.toString());
            err.reset();
            assertEquals(1, client.call("boom", List.of(), new ByteArrayOutputStream(), err));
            assertTrue(err.toString(StandardCharsets.UTF_8).contains("boom: fatal: queue file write error"));
        }
    }

    @Test
    void aClosedServerIsReportedAsNotRunning() throws Exception {
        ControlServer.bind(queue).close();
        ControlClient client = new ControlClient(queue);
        assertFalse(client.isServerRunning());
        assertThrows(ControlClient.ServerNotRunningException.class,
                () -> client.call("status", List.of(), new ByteArrayOutputStream(), new ByteArrayOutputStream()));
    }
}
