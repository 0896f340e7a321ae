package org.smarthost.loadtests.gatling;

/** System property access with defaults and a clear error for bad numbers. */
public final class Props {

    private Props() {
    }

    public static String string(String name, String defaultValue) {
        String value = System.getProperty(name);
        return value == null || value.isBlank() ? defaultValue : value.trim();
    }

    public static boolean bool(String name, boolean defaultValue) {
        String value = string(name, Boolean.toString(defaultValue));
        if (!value.equals("true") && !value.equals("false")) {
            throw new IllegalArgumentException("-D" + name + " must be true or false, got \"" + value + "\"");
        }
        return Boolean.parseBoolean(value);
    }

    public static int integer(String name, int defaultValue) {
        return (int) number(name, defaultValue);
    }

    public static double number(String name, double defaultValue) {
        String value = System.getProperty(name);
        if (value == null || value.isBlank()) {
            return defaultValue;
        }
        try {
            return Double.parseDouble(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-D" + name + " must be a number, got \"" + value + "\"", e);
        }
    }
}
