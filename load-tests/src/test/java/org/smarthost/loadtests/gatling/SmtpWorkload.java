package org.smarthost.loadtests.gatling;

import org.smarthost.loadtests.smtp.Envelope;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * What the virtual users send and where, read from system properties so one simulation class
 * serves every target: {@code -Dhost -Dport -Dsize -DsizeMax -Drecipients -Dhelo -Dsender
 * -DrecipientDomain -DreplyTimeout -DcommandStats -Dtls -Duser -Dpassword}. {@code requestPrefix}
 * (empty unless set with {@link #withRequestPrefix}) goes before every request name the SMTP
 * actions report, so two populations of one simulation (an unmeasured warm-up and the measured
 * load, or relay and submission) get separate stats rows.
 *
 * <p>{@code tls}: each session sends STARTTLS after its EHLO, then EHLO again over TLS;
 * {@code user} (null: none) and {@code password}: then AUTH PLAIN, before the first transaction.
 */
public record SmtpWorkload(
        String host,
        int port,
        String helo,
        String sender,
        String recipientDomain,
        int recipients,
        int minSize,
        int maxSize,
        Duration replyTimeout,
        String requestPrefix,
        boolean commandStats,
        boolean tls,
        String user,
        String password) {

    public SmtpWorkload {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be 1-65535, got " + port);
        }
        if (recipients < 1) {
            throw new IllegalArgumentException("recipients must be at least 1, got " + recipients);
        }
        if (minSize < 1 || maxSize < minSize) {
            throw new IllegalArgumentException("need 1 <= size <= sizeMax, got " + minSize + ".." + maxSize);
        }
        requestPrefix = requestPrefix == null ? "" : requestPrefix;
        if (user != null && user.isEmpty()) {
            user = null;
        }
        if (user != null && password == null) {
            throw new IllegalArgumentException("AUTH as " + user + " needs a password (-Dpassword)");
        }
        if (user == null) {
            password = null;
        }
    }

    /** Reads the properties, with {@code defaultSize} octets when {@code -Dsize} is absent. */
    public static SmtpWorkload fromSystemProperties(int defaultSize, int defaultRecipients) {
        return fromSystemProperties(defaultSize, -1, defaultRecipients);
    }

    /**
     * Reads the properties; sizes range over [{@code -Dsize}, {@code -DsizeMax}], defaulting to
     * [defaultSize, defaultSizeMax] (defaultSizeMax -1: a fixed size).
     */
    public static SmtpWorkload fromSystemProperties(int defaultSize, int defaultSizeMax, int defaultRecipients) {
        int size = Props.integer("size", defaultSize);
        int sizeMax = Props.integer("sizeMax", System.getProperty("size") == null && defaultSizeMax > 0
                ? defaultSizeMax : size);
        return new SmtpWorkload(
                Props.string("host", "127.0.0.1"),
                Props.integer("port", 25),
                Props.string("helo", "loadgen.localdomain"),
                Props.string("sender", "loadgen@example.org"),
                Props.string("recipientDomain", "example.net"),
                Props.integer("recipients", defaultRecipients),
                size,
                sizeMax,
                Duration.ofSeconds(Props.integer("replyTimeout", 60)),
                "",
                Props.bool("commandStats", true),
                Props.bool("tls", false),
                Props.string("user", null),
                System.getProperty("password"));
    }

    /** The same workload, reported under {@code prefix + name} ("warm-up: message accepted"). */
    public SmtpWorkload withRequestPrefix(String prefix) {
        return new SmtpWorkload(host, port, helo, sender, recipientDomain, recipients, minSize, maxSize,
                replyTimeout, prefix, commandStats, tls, user, password);
    }

    /** The same workload sent to another port. */
    public SmtpWorkload withPort(int otherPort) {
        return new SmtpWorkload(host, otherPort, helo, sender, recipientDomain, recipients, minSize, maxSize,
                replyTimeout, requestPrefix, commandStats, tls, user, password);
    }

    /** The same workload with STARTTLS or without. */
    public SmtpWorkload withTls(boolean startTls) {
        return new SmtpWorkload(host, port, helo, sender, recipientDomain, recipients, minSize, maxSize,
                replyTimeout, requestPrefix, commandStats, startTls, user, password);
    }

    /** The same workload with AUTH PLAIN as {@code login} (null: no AUTH). */
    public SmtpWorkload withAuth(String login, String secret) {
        return new SmtpWorkload(host, port, helo, sender, recipientDomain, recipients, minSize, maxSize,
                replyTimeout, requestPrefix, commandStats, tls, login, secret);
    }

    /** Whether sessions send AUTH. */
    public boolean authenticates() {
        return user != null;
    }

    /** Leaves the password out, so a logged workload does not show it. */
    @Override
    public String toString() {
        return "SmtpWorkload[" + host + ":" + port + ", helo=" + helo + ", sender=" + sender
                + ", recipients=" + recipients + "@" + recipientDomain + ", size=" + minSize + ".." + maxSize
                + ", replyTimeout=" + replyTimeout + ", requestPrefix=" + requestPrefix
                + ", commandStats=" + commandStats + ", tls=" + tls + ", user=" + user + "]";
    }

    /**
     * Whether a request that succeeded gets a stats row of its own: always for "message accepted",
     * for each SMTP command (connect, EHLO, MAIL FROM, ...) unless {@code -DcommandStats=false}.
     * Failures are always recorded. Each row costs the load generator CPU (Gatling's stats engine
     * and simulation.log), which on a shared host is taken from the server being measured:
     * latency-bench.sh, which reads only "message accepted", turns the others off.
     */
    public boolean records(String request, boolean ok) {
        return commandStats || !ok || SmtpSendAction.ACCEPTED.equals(request);
    }

    /** The stats row of an SMTP request: the one place request names are made. */
    public String requestName(String request) {
        return requestPrefix + request;
    }

    public InetSocketAddress address() {
        return new InetSocketAddress(host, port);
    }

    /** rcpt1@domain ... rcptN@domain: distinct recipients, one destination. */
    public Envelope envelope() {
        List<String> to = new ArrayList<>(recipients);
        for (int i = 1; i <= recipients; i++) {
            to.add("rcpt" + i + "@" + recipientDomain);
        }
        return new Envelope(sender, to);
    }

    /** A size drawn uniformly from [size, sizeMax]. */
    public int nextSize() {
        return minSize == maxSize ? minSize : ThreadLocalRandom.current().nextInt(minSize, maxSize + 1);
    }
}
