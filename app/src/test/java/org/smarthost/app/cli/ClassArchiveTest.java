package org.smarthost.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What names an archive, and when "postfix start" leaves class sharing to the administrator. */
class ClassArchiveTest {

    @TempDir
    Path dir;

    @Test
    void theDigestFollowsEveryJarItsSizeAndItsTime() throws Exception {
        Path a = Files.writeString(dir.resolve("a.jar"), "a");
        Path b = Files.writeString(dir.resolve("b.jar"), "b");
        String classPath = a + File.pathSeparator + b;
        String before = ClassArchive.digest(classPath);
        assertEquals(before, ClassArchive.digest(classPath), "the same jars give the same archive");
        Files.setLastModifiedTime(b, FileTime.fromMillis(Files.getLastModifiedTime(b).toMillis() + 2000));
        assertNotEquals(before, ClassArchive.digest(classPath), "a rebuilt jar needs a new archive");
        String touched = ClassArchive.digest(classPath);
        Files.writeString(a, "a2");
        Files.setLastModifiedTime(a, Files.getLastModifiedTime(a));
        assertNotEquals(touched, ClassArchive.digest(classPath));
        assertNotEquals(ClassArchive.digest(classPath), ClassArchive.digest(a.toString()), "another class path");
    }

    @Test
    void optionsThatChooseClassSharingThemselvesAreLeftAlone() {
        for (String own : List.of("-Xshare:off", "-Xshare:auto", "-XX:SharedArchiveFile=/srv/my.jsa",
                "-XX:ArchiveClassesAtExit=/tmp/x.jsa", "-XX:+RecordDynamicDumpInfo")) {
            // nothing is trained or written for them: the data directory stays empty
            assertEquals(List.of(), ClassArchive.options(dir, "no-such.jar", List.of("-Xmx2g", own)), own);
        }
        assertEquals(0, dir.toFile().list().length);
    }
}
