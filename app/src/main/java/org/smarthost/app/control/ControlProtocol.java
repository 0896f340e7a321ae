package org.smarthost.app.control;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

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

    private static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    private static String readString(DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length < 0 || length > MAX_STRING) throw new IOException("bad control request: string of " + length);
        return new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }
}
