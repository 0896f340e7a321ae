package org.smarthost.actors.delivery;

import java.util.Locale;

/**
 * A concurrency feedback value (*_destination_concurrency_positive_feedback,
 * ..._negative_feedback): a number, or a number followed by "/concurrency" meaning that amount
 * divided by the current concurrency window.
 */
public record Feedback(double value, boolean perConcurrency) {

    public Feedback {
        if (!(value > 0) || value > 1) {
            throw new IllegalArgumentException("feedback value " + value + " must be in (0, 1]");
        }
    }

    /** Parses "1", "0.5", "1/concurrency", "1 / concurrency". */
    public static Feedback parse(String parameter, String text) {
        String t = text.trim().toLowerCase(Locale.ROOT).replace(" ", "");
        boolean per = false;
        if (t.endsWith("/concurrency")) {
            per = true;
            t = t.substring(0, t.length() - "/concurrency".length());
        }
        try {
            return new Feedback(Double.parseDouble(t), per);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad " + parameter + " value: " + text, e);
        }
    }

    /** The adjustment for one delivery at this window (Postfix QMGR_FEEDBACK_VAL). */
    public double at(int window) {
        return perConcurrency ? value / Math.max(1, window) : value;
    }

    @Override
    public String toString() {
        String v = value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
        return perConcurrency ? v + "/concurrency" : v;
    }
}
