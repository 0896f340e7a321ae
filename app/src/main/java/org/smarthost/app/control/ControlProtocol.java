package org.smarthost.app.control;

import static org.smarthost.persistence.serialization.LengthPrefixed.writeString;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.smarthost.persistence.serialization.LengthPrefixed;

/**
 * Wire format of the control channel, one request per connection.
 *
 * <p>Request: {@code int n}, then n strings (command name, then its arguments), each as
 * {@code int length} + UTF-8 bytes. Response: frames of {@code byte type} + {@code int length}
 * + bytes, where type is {@link #STDOUT} or {@link #STDERR}, ended by one {@link #EXIT}
 * frame whose 4-byte payload is the exit status.
 */
final class ControlProtocol {

    static final byte STDOUT = 'O';
    static final byte STDERR = 'E';
    static final byte EXIT = 'X';
    private static final int MAX_ARGS = 10_000;
    private static final int MAX_STRING = 1 << 20;

    private ControlProtocol() {
    }

    static void writeRequest(DataOutputStream out, String command, List<String> args) throws IOException {
        out.writeInt(args.size() + 1);
        writeString(out, command);
        for (String arg : args) writeString(out, arg);
        out.flush();
    }

    static List<String> readRequest(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 1 || n > MAX_ARGS) throw new IOException("bad control request: " + n + " words");
        List<String> words = new ArrayList<>(n);
        for (int i = 0; i < n; i++) words.add(readString(in));
        return words;
    }

    private static String readString(DataInputStream in) throws IOException {
        return LengthPrefixed.readString(in, MAX_STRING, "bad control request");
    }
}
