package org.smarthost.config;

/** Value syntax of a main.cf parameter, as Postfix interprets it. */
public enum ParameterType {
    STRING, INT, BOOL, TIME, SIZE, LIST;

    static ParameterType parse(String text) {
        int colon = text.indexOf(':');
        return valueOf((colon < 0 ? text : text.substring(0, colon)).toUpperCase(java.util.Locale.ROOT));
    }
}
