package org.smarthost.config;

/**
 * A configuration error, worded the way Postfix words it (without the "program: fatal: " prefix),
 * e.g. {@code /etc/postfix/main.cf, line 3: missing '=' after attribute name: "foo"}.
 */
public class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }
}
