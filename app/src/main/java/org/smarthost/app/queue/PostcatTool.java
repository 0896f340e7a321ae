package org.smarthost.app.queue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.smarthost.actors.queue.QueueSystem;
import org.smarthost.persistence.queue.EnvelopeRecipient;
import org.smarthost.persistence.queue.MessageReceived;
import org.smarthost.persistence.queue.MessageState;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * postcat(1) -q: a queued message as Postfix prints a queue file: envelope records, message
 * contents, extracted header records. -e, -h and -b select sections; without any of them all
 * are shown with their section markers.
 */
@Command(name = "postcat")
final class PostcatTool implements Callable<Integer> {

    static final String USAGE = "postcat [-bdehnoqv] [-c config_dir] [files...]";
    private static final DateTimeFormatter ASCTIME = DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss yyyy", Locale.US);

    @Option(names = "-q") boolean queueIds;
    @Option(names = "-e") boolean envelope;
    @Option(names = "-h") boolean headers;
    @Option(names = "-b") boolean body;
    @Option(names = "-o") boolean offsets;   // record offsets: not meaningful here, accepted
    @Option(names = "-d") boolean decimal;
    @Option(names = "-n") boolean noDecode;
    @Option(names = "-c") String configDir;
    @Option(names = "-v") boolean[] verbose;
    @Parameters List<String> names = new ArrayList<>();

    private final QueueSystem queue;
    private final PrintWriter out;
    private final PrintWriter err;

    PostcatTool(QueueSystem queue, PrintWriter out, PrintWriter err) {
        this.queue = queue;
        this.out = out;
        this.err = err;
    }

    @Override
    public Integer call() throws Exception {
        if (!envelope && !headers && !body) {
            envelope = headers = body = true;
        }
        if (names.isEmpty()) {
            err.println("postcat: fatal: usage: " + USAGE);
            return 1;
        }
        for (String name : names) {
            if (!queueIds) {
                // Without -q the arguments are queue file names; there are no queue files.
                err.println("postcat: fatal: open " + name + ": No such file or directory");
                return 1;
            }
            MessageHistory history = MessageHistory.load(queue, name);
            MessageState state = history.state();
            if (state.received() == null || state.isDone() || !queue.bodies().exists(name)) {
                err.println("postcat: fatal: open queue file " + name + ": No such file or directory");
                return 1;
            }
            print(state, queue.settings().zone());
        }
        return 0;
    }

    private void print(MessageState s, ZoneId zone) throws IOException {
        String where = new QueueFilePath(queue.settings().hashQueueNames(), queue.settings().hashQueueDepth())
                .of(s.queue().postfixName(), s.queueId());
        if (envelope) {
            out.println("*** ENVELOPE RECORDS " + where + " ***");
            envelopeRecords(s, zone);
            out.println("*** MESSAGE CONTENTS " + where + " ***");
        }
        if (headers || body) content(s.queueId());
        if (envelope) {
            out.println("*** HEADER EXTRACTED " + where + " ***");
            out.println("*** MESSAGE FILE END " + where + " ***");
        }
        out.flush();
    }

    private void envelopeRecords(MessageState s, ZoneId zone) {
        MessageReceived r = s.received();
        out.println(String.format(Locale.ROOT, "message_size: %15d %15d %15d %15d %15d %15d",
                r.size(), 0, r.recipients().size(), 0, r.size(), r.smtputf8() ? 1 : 0));
        String arrival = ASCTIME.format(r.at().atZone(zone));
        out.println("message_arrival_time: " + arrival);
        out.println("create_time: " + arrival);
        attr("log_ident", r.queueId());
        if (r.rewriteContext() != null) attr("rewrite_context", r.rewriteContext());
        if (r.envid() != null) attr("envelope_id", r.envid());
        if (r.ret() != null) attr("ret_flags", "FULL".equalsIgnoreCase(r.ret()) ? "1" : "2");
        out.println("sender: " + r.sender());
        String origin = r.clientName() + "[" + r.clientAddress() + "]";
        attr("log_client_name", r.clientName());
        attr("log_client_address", r.clientAddress());
        attr("log_client_port", Integer.toString(r.clientPort()));
        attr("log_message_origin", origin);
        if (r.heloName() != null) attr("log_helo_name", r.heloName());
        attr("log_protocol_name", r.protocol());
        attr("client_name", r.clientName());
        attr("reverse_client_name", r.clientName());
        attr("client_address", r.clientAddress());
        attr("client_port", Integer.toString(r.clientPort()));
        if (r.serverAddress() != null) {
            attr("server_address", r.serverAddress());
            attr("server_port", Integer.toString(r.serverPort()));
        }
        if (r.heloName() != null) attr("helo_name", r.heloName());
        attr("protocol_name", r.protocol());
        attr("client_address_type", r.clientAddress().indexOf(':') >= 0 ? "10" : "2");
        if (r.saslUsername() != null) attr("sasl_username", r.saslUsername());
        for (EnvelopeRecipient rcpt : r.recipients()) {
            if (rcpt.notifyFlags() != 0) attr("notify_flags", Integer.toString(rcpt.notifyFlags()));
            attr("dsn_orig_rcpt", rcpt.orcpt() != null ? rcpt.orcpt() : "rfc822;" + rcpt.address());
            out.println("original_recipient: " + rcpt.address());
            // Postfix marks finished recipients in the queue file as done_recipient.
            out.println((s.pending().containsKey(rcpt.address()) ? "recipient: " : "done_recipient: ")
                    + rcpt.address());
        }
    }

    private void attr(String name, String value) {
        out.println("named_attribute: " + name + "=" + value);
    }

    /** The stored content with CRLF turned into newlines; -h/-b split at the first empty line. */
    private void content(String queueId) throws IOException {
        try (InputStream in = queue.bodies().open(queueId);
             BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            boolean inHeaders = true;
            String line;
            while ((line = reader.readLine()) != null) {
                if (inHeaders && line.isEmpty()) inHeaders = false;
                if (inHeaders ? headers : body) out.println(line);
            }
        }
    }

    static String asctime(Instant t, ZoneId zone) {
        return ASCTIME.format(t.atZone(zone));
    }
}
