package org.smarthost.protocol.dns;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedResolver;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TextParseException;
import org.smarthost.protocol.text.Utf8Names;

/**
 * Asynchronous single-type DNS queries through dnsjava, classified into {@link DnsAnswer}.
 * Queries go raw to the configured servers (no dnsjava cache) so that NXDOMAIN, NODATA and
 * SERVFAIL stay distinguishable, which decides bounce versus defer.
 */
public final class DnsClient {

    private final Resolver resolver;

    public DnsClient(Resolver resolver) {
        this.resolver = resolver;
    }

    /**
     * A client for the given name servers (tried in order), or the system's resolv.conf servers
     * when the list is empty. dnsjava retries over TCP when a UDP answer is truncated.
     */
    public static DnsClient create(List<InetSocketAddress> servers, Duration timeout) {
        Resolver resolver;
        if (servers.isEmpty()) {
            ExtendedResolver extended = new ExtendedResolver();
            extended.setTimeout(timeout);
            resolver = extended;
        } else if (servers.size() == 1) {
            SimpleResolver simple = new SimpleResolver(servers.get(0));
            simple.setTimeout(timeout);
            resolver = simple;
        } else {
            List<Resolver> list = new ArrayList<>();
            for (InetSocketAddress server : servers) list.add(new SimpleResolver(server));
            ExtendedResolver extended = new ExtendedResolver(list);
            extended.setTimeout(timeout);
            resolver = extended;
        }
        return new DnsClient(resolver);
    }

    /**
     * Parses a host or domain name; Postfix rejects malformed names before asking DNS. A name in
     * UTF-8 (SMTPUTF8 mail) is looked up by its IDNA A-label form, as Postfix's smtp client does.
     */
    static Name name(String text) {
        try {
            String ascii = Utf8Names.toAscii(text);
            return Name.fromString(ascii.endsWith(".") ? ascii : ascii + ".");
        } catch (TextParseException | IllegalArgumentException e) {
            throw new DnsFailure("5.4.4", "Name service error for " + text + ": invalid host or domain name");
        }
    }

    CompletableFuture<DnsAnswer> query(Name name, int type) {
        Message query = Message.newQuery(Record.newRecord(name, type, DClass.IN));
        return resolver.sendAsync(query).toCompletableFuture()
                .handle((response, error) -> error != null
                        ? new DnsAnswer.TryAgain(String.valueOf(error.getMessage()))
                        : classify(response, type));
    }

    private static DnsAnswer classify(Message response, int type) {
        int rcode = response.getRcode();
        if (rcode == Rcode.NXDOMAIN) return new DnsAnswer.NotFound();
        if (rcode != Rcode.NOERROR) return new DnsAnswer.TryAgain(Rcode.string(rcode));
        // Answers following a CNAME carry the canonical owner name; keep only the asked type.
        List<Record> records = new ArrayList<>();
        for (Record record : response.getSection(Section.ANSWER)) {
            if (record.getType() == type) records.add(record);
        }
        return records.isEmpty() ? new DnsAnswer.NoData() : new DnsAnswer.Found(records);
    }
}
