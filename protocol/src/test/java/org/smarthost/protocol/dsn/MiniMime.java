package org.smarthost.protocol.dsn;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Just enough MIME to check a multipart/report: headers (unfolded) and parts split on the boundary. */
record MiniMime(Map<String, String> headers, String body, List<MiniMime> parts) {

    static MiniMime parse(String text) {
        int split = text.indexOf("\r\n\r\n");
        String head = split < 0 ? text : text.substring(0, split);
        String body = split < 0 ? "" : text.substring(split + 4);
        Map<String, String> headers = new LinkedHashMap<>();
        String last = null;
        for (String line : head.split("\r\n", -1)) {
            if (line.isEmpty()) continue;
            if ((line.startsWith(" ") || line.startsWith("\t")) && last != null) {
                headers.put(last, headers.get(last) + " " + line.trim());
            } else {
                int colon = line.indexOf(':');
                if (colon <= 0) throw new AssertionError("not a header line: " + line);
                last = line.substring(0, colon).toLowerCase(Locale.ROOT);
                if (headers.containsKey(last)) throw new AssertionError("duplicate header " + last);
                headers.put(last, line.substring(colon + 1).trim());
            }
        }
        List<MiniMime> parts = new ArrayList<>();
        String type = headers.getOrDefault("content-type", "");
        Matcher m = Pattern.compile("boundary=\"([^\"]+)\"").matcher(type);
        if (type.startsWith("multipart/") && m.find()) {
            String delim = "\r\n--" + m.group(1);
            String rest = "\r\n" + body;
            int end = rest.indexOf(delim + "--\r\n");
            if (end < 0) throw new AssertionError("no closing boundary");
            String[] chunks = rest.substring(0, end).split(Pattern.quote(delim) + "\r\n", -1);
            for (int i = 1; i < chunks.length; i++) parts.add(parse(chunks[i]));
        }
        return new MiniMime(headers, body, parts);
    }

    String header(String name) {
        return headers.get(name.toLowerCase(Locale.ROOT));
    }

    /** message/delivery-status body: groups of fields separated by blank lines. */
    List<Map<String, String>> fieldGroups() {
        List<Map<String, String>> groups = new ArrayList<>();
        for (String block : body.split("\r\n\r\n")) {
            if (block.isBlank()) continue;
            groups.add(parse(block + "\r\n\r\n").headers());
        }
        return groups;
    }
}
