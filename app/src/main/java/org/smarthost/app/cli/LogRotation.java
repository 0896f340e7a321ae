package org.smarthost.app.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;

/**
 * "postfix logrotate", as postfix-script does it: rename maillog_file to
 * name.&lt;maillog_file_rotate_suffix&gt;, have the server reopen its log, then compress the
 * renamed file with maillog_file_compressor.
 */
final class LogRotation {

    /** Something that may fail with I/O, e.g. asking the server to reopen its log. */
    @FunctionalInterface
    interface IoAction {
        void run() throws IOException;
    }

    private LogRotation() {
    }

    /** Returns the renamed (now compressed) file's name before compression. */
    static Path rotate(Path log, String suffixFormat, String compressor, IoAction reopen)
            throws IOException, InterruptedException {
        String suffix = Strftime.format(suffixFormat, ZonedDateTime.now());
        Path rotated = log.resolveSibling(log.getFileName() + "." + suffix);
        if (Files.exists(rotated)) throw new IOException("mv: " + rotated + ": File exists");
        try {
            Files.move(log, rotated);
        } catch (IOException e) {
            throw new IOException("mv: cannot move '" + log + "': " + e.getMessage(), e);
        }
        reopen.run();
        Process gzip = new ProcessBuilder(compressor, rotated.toString()).redirectErrorStream(true).start();
        String output = new String(gzip.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (gzip.waitFor() != 0) throw new IOException(output.isEmpty() ? compressor + " failed" : output);
        return rotated;
    }
}
