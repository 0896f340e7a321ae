package org.smarthost.app.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PidFileTest {

    @TempDir
    Path queue;

    @Test
    void theLockNotTheFileSaysRunning() throws Exception {
        Path file = PidFile.path(queue);
        assertFalse(PidFile.isLocked(file));
        try (PidFile pid = PidFile.acquire(file)) {
            assertTrue(PidFile.isLocked(file));
            assertEquals(ProcessHandle.current().pid(), PidFile.readPid(file).getAsLong());
            // Postfix's layout: the PID right-aligned in ten columns
            assertEquals(String.format("%10d%n", ProcessHandle.current().pid()), Files.readString(file));
            assertThrows(PidFile.AlreadyRunningException.class, () -> PidFile.acquire(file));
        }
        assertTrue(Files.exists(file));
        assertFalse(PidFile.isLocked(file));
    }
}
