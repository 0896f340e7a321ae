package org.smarthost.persistence.body;

import java.io.InputStream;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * Run in a second JVM by {@link BodyStoreTest}: opens the store read-only while the test JVM
 * holds it read-write (as postcat/postqueue would next to a running server) and prints the
 * SHA-256 of a body.
 */
public final class ReadOnlyBodyDigest {
    public static void main(String[] args) throws Exception {
        try (BodyStore store = BodyStore.openReadOnly(Path.of(args[0]));
                InputStream in = store.open(args[1])) {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[8192];
            for (int n; (n = in.read(buf)) > 0; ) {
                sha.update(buf, 0, n);
            }
            System.out.println(HexFormat.of().formatHex(sha.digest()));
        }
    }
}
