package org.smarthost.protocol.dns;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;

/**
 * An in-process authoritative DNS server on 127.0.0.1 (UDP and TCP on the same free port) for
 * tests: names with records answer NOERROR (NODATA when the type is missing), names marked
 * failing answer SERVFAIL, every other name NXDOMAIN.
 */
public final class TestDnsServer implements AutoCloseable {

    private final Map<Name, List<Record>> records = new ConcurrentHashMap<>();
    private final Set<Name> servfail = ConcurrentHashMap.newKeySet();
    private final DatagramSocket udp;
    private final ServerSocket tcp;
    private volatile boolean running = true;

    public TestDnsServer() throws IOException {
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        DatagramSocket u = null;
        ServerSocket t = null;
        for (int tries = 0; tries < 20 && t == null; tries++) {
            u = new DatagramSocket(new InetSocketAddress(loopback, 0));
            try {
                t = new ServerSocket(u.getLocalPort(), 50, loopback);
            } catch (IOException busy) {
                u.close();
            }
        }
        if (t == null) throw new IOException("no free port for UDP and TCP");
        udp = u;
        tcp = t;
        Thread udpThread = new Thread(this::serveUdp, "test-dns-udp");
        udpThread.setDaemon(true);
        udpThread.start();
        Thread tcpThread = new Thread(this::serveTcp, "test-dns-tcp");
        tcpThread.setDaemon(true);
        tcpThread.start();
    }

    public InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), udp.getLocalPort());
    }

    /** A DnsClient that asks only this server. */
    public DnsClient client() {
        return DnsClient.create(List.of(address()), Duration.ofSeconds(2));
    }

    public TestDnsServer mx(String domain, int preference, String host) {
        Name target = host.equals(".") ? Name.root : name(host);
        return add(new MXRecord(name(domain), DClass.IN, 60, preference, target));
    }

    public TestDnsServer a(String host, String address) throws IOException {
        InetAddress a = InetAddress.getByName(address);
        return add(a.getAddress().length == 4
                ? new ARecord(name(host), DClass.IN, 60, a)
                : new AAAARecord(name(host), DClass.IN, 60, a));
    }

    public TestDnsServer servfail(String name) {
        servfail.add(name(name));
        return this;
    }

    private TestDnsServer add(Record record) {
        records.computeIfAbsent(record.getName(), k -> new ArrayList<>()).add(record);
        return this;
    }

    private static Name name(String text) {
        return DnsClient.name(text);
    }

    byte[] answer(byte[] query) throws IOException {
        Message request = new Message(query);
        Message response = new Message(request.getHeader().getID());
        response.getHeader().setFlag(Flags.QR);
        response.getHeader().setFlag(Flags.AA);
        if (request.getHeader().getFlag(Flags.RD)) response.getHeader().setFlag(Flags.RD);
        Record question = request.getQuestion();
        response.addRecord(question, Section.QUESTION);
        Name name = question.getName();
        if (servfail.contains(name)) {
            response.getHeader().setRcode(Rcode.SERVFAIL);
        } else if (!records.containsKey(name)) {
            response.getHeader().setRcode(Rcode.NXDOMAIN);
        } else {
            for (Record r : records.get(name)) {
                if (r.getType() == question.getType()) response.addRecord(r, Section.ANSWER);
            }
        }
        return response.toWire();
    }

    private void serveUdp() {
        byte[] buffer = new byte[4096];
        while (running) {
            try {
                DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                udp.receive(packet);
                byte[] query = java.util.Arrays.copyOf(packet.getData(), packet.getLength());
                byte[] reply = answer(query);
                udp.send(new DatagramPacket(reply, reply.length, packet.getSocketAddress()));
            } catch (IOException e) {
                if (!running) return;
            }
        }
    }

    private void serveTcp() {
        while (running) {
            try {
                Socket s = tcp.accept();
                Thread t = new Thread(() -> serveTcpConnection(s), "test-dns-tcp-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                if (!running) return;
            }
        }
    }

    /** dnsjava keeps a TCP connection open for several queries: answer until EOF. */
    private void serveTcpConnection(Socket socket) {
        try (Socket s = socket) {
            DataInputStream in = new DataInputStream(s.getInputStream());
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            while (true) {
                byte[] query = new byte[in.readUnsignedShort()];
                in.readFully(query);
                byte[] reply = answer(query);
                synchronized (out) {
                    out.writeShort(reply.length);
                    out.write(reply);
                    out.flush();
                }
            }
        } catch (IOException eof) {
            // client closed
        }
    }

    @Override public void close() throws IOException {
        running = false;
        udp.close();
        tcp.close();
    }
}
