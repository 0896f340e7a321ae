package org.smarthost.protocol.dns;

import java.util.List;
import org.xbill.DNS.Record;

/** One DNS query's outcome, classified as Postfix's dns_lookup() does. */
sealed interface DnsAnswer {

    /** NOERROR with records of the asked type (possibly after a CNAME chain). */
    record Found(List<Record> records) implements DnsAnswer { }

    /** NOERROR without records of the asked type. */
    record NoData() implements DnsAnswer { }

    /** NXDOMAIN. */
    record NotFound() implements DnsAnswer { }

    /** SERVFAIL, REFUSED, timeout, network error: try again later. */
    record TryAgain(String detail) implements DnsAnswer { }

    /** Postfix's h_errno text for the answer. */
    default String text() {
        if (this instanceof NotFound) return "Host not found";
        if (this instanceof NoData) return "Host found but no data record of requested type";
        return "Host not found, try again";
    }
}
