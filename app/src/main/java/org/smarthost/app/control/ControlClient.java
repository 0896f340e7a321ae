package org.smarthost.app.control;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The CLI end of the control channel: runs one {@link ControlCommand} inside the running
 * server and copies its output to this process's stdout/stderr.
 */
public final class ControlClient {

    private final Path socket;

    public ControlClient(Path queueDirectory) {
        this.socket = ControlServer.socketPath(queueDirectory);
    }

    /** True when a server answers on the control socket. */
    public boolean isServerRunning() {
        if (!Files.exists(socket)) return false;
        try {
            SocketChannel.open(UnixDomainSocketAddress.of(socket)).close();
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Runs {@code command args} in the server.
     *
     * @return the command's exit status
     * @throws ServerNotRunningException when nothing listens on the control socket
     * @throws IOException when the server went away mid-command
     */
    public int call(String command, List<String> args, OutputStream stdout, OutputStream stderr) throws IOException {
        SocketChannel channel;
        try {
            channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            channel.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            throw new ServerNotRunningException(socket, e);
        }
        try (channel) {
            DataOutputStream out = new DataOutputStream(Channels.newOutputStream(channel));
            ControlProtocol.writeRequest(out, command, args);
            DataInputStream in = new DataInputStream(new BufferedInputStream(Channels.newInputStream(channel)));
            while (true) {
                byte type = in.readByte();
                int length = in.readInt();
                if (type == ControlProtocol.EXIT) {
                    return in.readInt();
                }
                byte[] data = in.readNBytes(length);
                OutputStream target = type == ControlProtocol.STDERR ? stderr : stdout;
                target.write(data);
                target.flush();
            }
        }
    }

    /** Nothing listens on the control socket: the mail system is down. */
    public static final class ServerNotRunningException extends IOException {
        public ServerNotRunningException(Path socket, IOException cause) {
            super("no server on " + socket, cause);
        }
    }
}
