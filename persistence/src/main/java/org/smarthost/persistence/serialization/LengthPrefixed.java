package org.smarthost.persistence.serialization;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Strings as a 4-byte length and UTF-8 bytes, for the small binary formats outside the journal
 * (the control channel, the saved queue index). {@link DataOutput#writeUTF} stops at 64 KB, and
 * a deferral reason may quote a longer reply.
 */
public final class LengthPrefixed {

    private LengthPrefixed() {
    }

    public static void writeString(DataOutput out, String s) throws IOException {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(utf8.length);
        out.write(utf8);
    }

    /**
     * @param max  longer is damage or abuse, not data
     * @param what names the input in the error ("bad control request")
     */
    public static String readString(DataInput in, int max, String what) throws IOException {
        int length = in.readInt();
        if (length < 0 || length > max) throw new IOException(what + ": string of " + length);
        byte[] utf8 = new byte[length];
        in.readFully(utf8);
        return new String(utf8, StandardCharsets.UTF_8);
    }
}
