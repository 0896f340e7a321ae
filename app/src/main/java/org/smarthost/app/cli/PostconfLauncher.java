package org.smarthost.app.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.smarthost.app.logging.Maillog;
import org.smarthost.config.postconf.Postconf;

/** postconf(1), implemented by the config module. */
final class PostconfLauncher {

    private PostconfLauncher() {
    }

    static int main(String[] args) {
        Maillog.configureBootstrap();
        // postconf output is often large (postconf -d): buffer it, flush once at the end
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), false, StandardCharsets.UTF_8);
        return Postconf.run(out, System.err, System.getenv(), args);
    }
}
