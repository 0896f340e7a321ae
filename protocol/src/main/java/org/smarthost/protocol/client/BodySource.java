package org.smarthost.protocol.client;

import java.io.IOException;
import java.io.InputStream;

/**
 * Opens the message content (headers and body, as stored: lines ending in LF or CRLF, not
 * dot-stuffed). Called once per transaction; the stream is read in chunks and closed by the client.
 */
@FunctionalInterface
public interface BodySource {
    InputStream open() throws IOException;
}
