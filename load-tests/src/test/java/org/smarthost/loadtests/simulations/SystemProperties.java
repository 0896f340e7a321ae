package org.smarthost.loadtests.simulations;

import java.util.HashMap;
import java.util.Map;

/**
 * System properties a smoke test sets for the simulations (they read -D options), and puts back
 * as they were afterwards, so one test's settings never leak into the next.
 */
final class SystemProperties {

    private final Map<String, String> saved = new HashMap<>();

    void set(String key, String value) {
        saved.putIfAbsent(key, System.getProperty(key));
        System.setProperty(key, value);
    }

    void restore() {
        saved.forEach((k, v) -> {
            if (v == null) {
                System.clearProperty(k);
            } else {
                System.setProperty(k, v);
            }
        });
        saved.clear();
    }
}
