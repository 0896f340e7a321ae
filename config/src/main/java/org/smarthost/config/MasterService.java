package org.smarthost.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One master.cf service entry. The y/n/- fields are kept as written ({@code -} meaning the default);
 * {@code args} are the command arguments with {@code { ... }} groups unwrapped and each
 * {@code -o} value normalized to {@code name=value}.
 *
 * @param name    service name, for inet services possibly {@code host:port}
 * @param type    inet, unix, unix-dgram, fifo or pass
 * @param line    first line of the entry in master.cf
 */
public record MasterService(String name, String type, String privateField, String unprivilegedField,
                            String chrootField, String wakeupField, String processLimitField,
                            String command, List<String> args, int line) {

    /** The master.cf field names, as postconf -F prints them. */
    public static final List<String> FIELD_NAMES = List.of(
            "service", "type", "private", "unprivileged", "chroot", "wakeup", "process_limit", "command");

    public MasterService {
        args = List.copyOf(args);
    }

    /** The {@code -o name=value} settings that come before the first non-option argument, in order. */
    public Map<String, String> overrides() {
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (!a.startsWith("-") || a.equals("--")) {
                break;
            }
            if (a.equals("-o") && i + 1 < args.size()) {
                String[] nv = MainCf.splitNameValue(args.get(++i));
                if (nv.length == 2) {
                    out.put(nv[0], nv[1]);
                }
            }
        }
        return out;
    }

    /** Whether the service is private (not reachable from outside the mail system); default yes. */
    public boolean isPrivate() {
        return !privateField.equals("n");
    }

    /** Whether the service runs without root privileges; default yes. */
    public boolean isUnprivileged() {
        return !unprivilegedField.equals("n");
    }

    /** Whether the service runs chrooted; the default is no (Postfix 3.0 and later). */
    public boolean isChroot() {
        return chrootField.equals("y");
    }

    /** Wakeup interval in seconds, or 0 for none. */
    public int wakeupSeconds() {
        String w = wakeupField.endsWith("?") ? wakeupField.substring(0, wakeupField.length() - 1) : wakeupField;
        return w.equals("-") ? 0 : Integer.parseInt(w);
    }

    /** The process limit, or empty when "-" (then default_process_limit applies). */
    public Optional<Integer> processLimit() {
        return processLimitField.equals("-") ? Optional.empty() : Optional.of(Integer.parseInt(processLimitField));
    }

    /** For an inet service named {@code host:port}, the host part; empty for a bare port/service name. */
    public Optional<String> inetHost() {
        int colon = name.lastIndexOf(':');
        return type.equals("inet") && colon >= 0 ? Optional.of(name.substring(0, colon)) : Optional.empty();
    }

    /** For an inet service, the port or service name part (the whole name when there is no host). */
    public String inetPort() {
        int colon = name.lastIndexOf(':');
        return colon >= 0 ? name.substring(colon + 1) : name;
    }

    /** The value of a field by its postconf -F name. */
    public String field(String fieldName) {
        return switch (fieldName) {
            case "service" -> name;
            case "type" -> type;
            case "private" -> privateField;
            case "unprivileged" -> unprivilegedField;
            case "chroot" -> chrootField;
            case "wakeup" -> wakeupField;
            case "process_limit" -> processLimitField;
            case "command" -> commandLine();
            default -> throw new IllegalArgumentException("unknown master.cf field: " + fieldName);
        };
    }

    /** The command and its arguments as one line, -o values braced when they hold whitespace. */
    public String commandLine() {
        StringBuilder sb = new StringBuilder(command);
        for (String w : printableArgs()) {
            sb.append(' ').append(w);
        }
        return sb.toString();
    }

    /** A copy whose {@code -o} values (in the option part) are transformed, e.g. expanded. */
    public MasterService withOverrideValues(java.util.function.UnaryOperator<String> f) {
        List<String> out = new java.util.ArrayList<>(args);
        for (int i = 0; i < out.size(); i++) {
            String a = out.get(i);
            if (!a.startsWith("-") || a.equals("--")) {
                break;
            }
            if (a.equals("-o") && i + 1 < out.size()) {
                String[] nv = MainCf.splitNameValue(out.get(++i));
                if (nv.length == 2) {
                    out.set(i, nv[0] + "=" + f.apply(nv[1]));
                }
            }
        }
        return new MasterService(name, type, privateField, unprivilegedField, chrootField, wakeupField,
                processLimitField, command, out, line);
    }

    /** Arguments as postconf prints them. */
    List<String> printableArgs() {
        List<String> out = new java.util.ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            out.add(a);
            if (a.equals("-o") && i + 1 < args.size()) {
                String v = args.get(++i);
                out.add(hasSpace(v) ? "{" + v + "}" : v);
            }
        }
        return out;
    }

    static boolean hasSpace(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.isWhitespace(s.charAt(i))) {
                return true;
            }
        }
        return false;
    }
}
