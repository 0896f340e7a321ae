package org.smarthost.app.queue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.smarthost.actors.queue.QueueSystem;
import org.smarthost.persistence.queue.QueueEvent;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code smarthost history QUEUEID [--json]}: every persisted event of one message, in order,
 * with its time. The text form is one line per event; --json prints one JSON object per line:
 * {"sequence_nr":1,"time":"...","event":"MessageReceived","data":{...}}.
 */
@Command(name = "history")
final class HistoryTool implements Callable<Integer> {

    static final String USAGE = "smarthost history [--json] queue_id";

    private static final ObjectMapper JSON = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    @Option(names = "--json") boolean json;
    @Option(names = "-c") String configDir;
    @Parameters(arity = "1") String queueId;

    private final QueueSystem queue;
    private final PrintWriter out;
    private final PrintWriter err;

    HistoryTool(QueueSystem queue, PrintWriter out, PrintWriter err) {
        this.queue = queue;
        this.out = out;
        this.err = err;
    }

    @Override
    public Integer call() throws Exception {
        MessageHistory history = MessageHistory.load(queue, queueId);
        if (history.isEmpty()) {
            err.println("smarthost: fatal: no history for queue id " + queueId);
            return 1;
        }
        for (EventEnvelope env : history.envelopes()) {
            if (!(env.event() instanceof QueueEvent event)) continue;
            ObjectNode data = JSON.valueToTree(event);
            data.remove("queueId");
            data.remove("at");
            if (json) {
                ObjectNode line = JSON.createObjectNode();
                line.put("sequence_nr", env.sequenceNr());
                line.put("time", event.at().toString());
                line.put("event", event.getClass().getSimpleName());
                line.set("data", data);
                out.println(JSON.writeValueAsString(line));
            } else {
                out.println(String.format("%4d %s %s%s", env.sequenceNr(), time(event.at()),
                        event.getClass().getSimpleName(), fields(data)));
            }
        }
        out.flush();
        return 0;
    }

    private String time(Instant at) {
        return DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS xx").format(at.atZone(queue.settings().zone()));
    }

    /** " name=value ..." for non-empty fields; nested values as compact JSON. */
    private static String fields(ObjectNode data) {
        StringBuilder sb = new StringBuilder();
        for (Iterator<Map.Entry<String, JsonNode>> it = data.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            JsonNode v = f.getValue();
            if (v.isNull() || (v.isContainerNode() && v.isEmpty())) continue;
            sb.append(' ').append(f.getKey()).append('=').append(v.isTextual() ? v.asText() : v.toString());
        }
        return sb.toString();
    }
}
