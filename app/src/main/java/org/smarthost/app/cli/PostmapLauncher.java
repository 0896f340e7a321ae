package org.smarthost.app.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.smarthost.app.logging.Maillog;
import org.smarthost.config.postmap.Postmap;

/** postmap(1), implemented by the config module; relative table names start in the working directory. */
final class PostmapLauncher {

    private PostmapLauncher() {
    }

    static int main(String[] args) {
        Maillog.configureBootstrap();
        // "postmap -s" of a large table prints a line per entry: buffer, flush once at the end
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), false, StandardCharsets.UTF_8);
        return Postmap.run(out, System.err, System.in, System.getenv(), Path.of(""), args);
    }
}
