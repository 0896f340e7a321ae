package org.smarthost.config.tables;

import java.util.ArrayList;
import java.util.List;

/** Splitting of table lists as Postfix's mystrtokq() does it: on commas and whitespace, not inside {braces}. */
final class TableSpecs {

    private TableSpecs() {
    }

    static List<String> split(String value) {
        List<String> out = new ArrayList<>();
        StringBuilder token = new StringBuilder();
        int depth = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (depth == 0 && (c == ',' || Character.isWhitespace(c))) {
                if (!token.isEmpty()) out.add(token.toString());
                token.setLength(0);
                continue;
            }
            if (c == '{') depth++;
            else if (c == '}' && depth > 0) depth--;
            token.append(c);
        }
        if (!token.isEmpty()) out.add(token.toString());
        return out;
    }
}
