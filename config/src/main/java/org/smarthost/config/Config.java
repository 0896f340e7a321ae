package org.smarthost.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The typed, read-only view of main.cf the rest of smarthost uses. Values are {@code $}-expanded at
 * use time and fall back to the registry default. Asking for a name that is neither a Postfix
 * parameter nor set in the configuration is a programming error and throws.
 */
public final class Config {
    /** The configuration directory Postfix (and smarthost) uses when neither -c nor MAIL_CONFIG says otherwise. */
    public static final Path DEFAULT_CONFIG_DIRECTORY = Path.of("/etc/postfix");

    private final ParameterRegistry registry;
    private final Path configDirectory;
    private final Map<String, String> mainValues;
    private final Map<String, String> overrides;
    private final String processName;
    private final List<String> warnings;

    private Config(ParameterRegistry registry, Path configDirectory, Map<String, String> mainValues,
                   Map<String, String> overrides, String processName, List<String> warnings) {
        this.registry = registry;
        this.configDirectory = configDirectory;
        this.mainValues = mainValues;
        this.overrides = overrides;
        this.processName = processName;
        this.warnings = warnings;
    }

    /**
     * Problems found reading main.cf, worded like Postfix (e.g. "/etc/postfix/main.cf, line 12: overriding
     * earlier entry: relayhost=x"); callers log them as "warning: ...".
     */
    public List<String> warnings() {
        return warnings;
    }

    /**
     * Loads {@code configDir/main.cf}. As in Postfix, {@code config_directory} is set to {@code configDir}
     * and read-only parameters assigned in main.cf are ignored.
     */
    public static Config load(Path configDir) {
        MainCf main = MainCf.read(configDir.resolve("main.cf"));
        Map<String, String> values = new HashMap<>(main.values());
        values.put("config_directory", configDir.toString());
        Config c = of(ParameterRegistry.standard(), configDir, values);
        return new Config(c.registry, c.configDirectory, c.mainValues, c.overrides, c.processName, main.warnings());
    }

    /** The configuration directory chosen by {@code MAIL_CONFIG}, or /etc/postfix. */
    public static Path defaultConfigDirectory() {
        String env = System.getenv("MAIL_CONFIG");
        return env == null || env.isEmpty() ? DEFAULT_CONFIG_DIRECTORY : Path.of(env);
    }

    /** A configuration from explicit main.cf values (tests, and postconf's own view). */
    public static Config of(ParameterRegistry registry, Path configDir, Map<String, String> mainValues) {
        Map<String, String> values = new HashMap<>(mainValues);
        for (String name : List.copyOf(values.keySet())) {
            if (registry.find(name).map(Parameter::readOnly).orElse(false)) {
                values.remove(name);
            }
        }
        return new Config(registry, configDir, Collections.unmodifiableMap(values), Map.of(), "smarthost", List.of());
    }

    /** Built-in defaults only, as {@code postconf -d} sees them. */
    public static Config defaults() {
        return of(ParameterRegistry.standard(), DEFAULT_CONFIG_DIRECTORY, Map.of());
    }

    /** This configuration with master.cf {@code -o name=value} settings layered on top. */
    public Config withOverrides(Map<String, String> settings) {
        Map<String, String> merged = new HashMap<>(overrides);
        merged.putAll(settings);
        return new Config(registry, configDirectory, mainValues, Collections.unmodifiableMap(merged), processName,
                warnings);
    }

    /** This configuration as seen by the named program (the value of {@code process_name}). */
    public Config withProcessName(String name) {
        return new Config(registry, configDirectory, mainValues, overrides, name, warnings);
    }

    public ParameterRegistry registry() {
        return registry;
    }

    public Path configDirectory() {
        return configDirectory;
    }

    /** main.cf settings, unexpanded. */
    public Map<String, String> mainValues() {
        return mainValues;
    }

    /** Whether {@code name} is explicitly set (main.cf or an override). */
    public boolean isSet(String name) {
        return overrides.containsKey(name) || mainValues.containsKey(name);
    }

    /** Whether code may ask for {@code name}: a built-in, service-defined or explicitly set parameter. */
    public boolean isKnown(String name) {
        return isSet(name) || registry.isBuiltin(name) || registry.serviceParameterTemplate(name).isPresent();
    }

    /** The unexpanded value: override, then main.cf, then the default. */
    public String raw(String name) {
        String v = lookup(name);
        if (v == null) {
            throw new IllegalArgumentException("unknown Postfix parameter: " + name);
        }
        return v;
    }

    /** The unexpanded default value (host-dependent defaults computed now). */
    public String defaultValue(String name) {
        String v = defaultOrNull(name);
        if (v == null) {
            throw new IllegalArgumentException("unknown Postfix parameter: " + name);
        }
        return v;
    }

    /** The expanded value; raw parameters (e.g. smtpd_reject_footer) are returned unexpanded. */
    public String get(String name) {
        String raw = raw(name);
        if (registry.find(name).map(Parameter::raw).orElse(false)) {
            return raw;
        }
        return expand(raw);
    }

    /** Expands {@code $name} references in arbitrary text against this configuration. */
    public String expand(String text) {
        return MacroExpander.expand(text, this::lookup);
    }

    /**
     * An integer main.cf value that must lie in {@code min..max}; outside it, Postfix's
     * get_mail_conf_int() wording ("invalid NAME parameter value V < MIN").
     */
    public int getInt(String name, int min, int max) {
        int v = getInt(name);
        if (v < min) throw new ConfigException("invalid " + name + " parameter value " + v + " < " + min);
        if (v > max) throw new ConfigException("invalid " + name + " parameter value " + v + " > " + max);
        return v;
    }

    public int getInt(String name) {
        String v = get(name).strip();
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new ConfigException("bad numerical configuration: " + name + " = " + v);
        }
    }

    /** A byte count (Postfix "long" parameters such as message_size_limit). */
    public long getSize(String name) {
        String v = get(name).strip();
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new ConfigException("bad numerical configuration: " + name + " = " + v);
        }
    }

    /** yes/no, case-insensitive, as Postfix accepts it. */
    public boolean getBool(String name) {
        String v = get(name).strip();
        if (v.equalsIgnoreCase("yes")) {
            return true;
        }
        if (v.equalsIgnoreCase("no")) {
            return false;
        }
        throw new ConfigException("bad boolean configuration: " + name + " = " + v);
    }

    /** A time value: a number with an optional unit s, m, h, d or w; a bare number uses the parameter's unit. */
    public Duration getTime(String name) {
        String v = get(name).strip();
        char unit = timeUnit(name);
        Optional<Duration> d = parseTime(v, unit);
        return d.orElseThrow(() -> new ConfigException("parameter " + name + ": bad time value or unit: " + v));
    }

    /** Parses a Postfix time value; {@code defaultUnit} applies to a bare number. */
    public static Optional<Duration> parseTime(String v, char defaultUnit) {
        int i = 0;
        while (i < v.length() && Character.isDigit(v.charAt(i))) {
            i++;
        }
        if (i == 0 || v.length() - i > 1) {
            return Optional.empty();
        }
        long n;
        try {
            n = Long.parseLong(v.substring(0, i));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        char unit = i < v.length() ? Character.toLowerCase(v.charAt(i)) : defaultUnit;
        return switch (unit) {
            case 's' -> Optional.of(Duration.ofSeconds(n));
            case 'm' -> Optional.of(Duration.ofMinutes(n));
            case 'h' -> Optional.of(Duration.ofHours(n));
            case 'd' -> Optional.of(Duration.ofDays(n));
            case 'w' -> Optional.of(Duration.ofDays(7 * n));
            default -> Optional.empty();
        };
    }

    /** A list split on whitespace and commas, keeping {@code { ... }} groups together. */
    public List<String> getList(String name) {
        return splitList(get(name));
    }

    /** Each value split as {@link #splitList(String)}, the elements of all in order. */
    public static List<String> splitList(List<String> values) {
        List<String> out = new ArrayList<>();
        for (String v : values) out.addAll(splitList(v));
        return out;
    }

    /** Postfix list splitting: separators are whitespace and commas; braces group (and nest). */
    public static List<String> splitList(String value) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        int depth = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (depth == 0 && (Character.isWhitespace(c) || c == ',')) {
                if (cur.length() > 0) {
                    out.add(cur.toString());
                    cur.setLength(0);
                }
                continue;
            }
            if (c == '{') {
                depth++;
            } else if (c == '}' && depth > 0) {
                depth--;
            }
            cur.append(c);
        }
        if (cur.length() > 0) {
            out.add(cur.toString());
        }
        return out;
    }

    private char timeUnit(String name) {
        Optional<Parameter> p = registry.find(name).or(() -> registry.serviceParameterTemplate(name));
        char unit = p.map(Parameter::timeUnit).orElse((char) 0);
        return unit == 0 ? 's' : unit;
    }

    /** Unexpanded value or null if undefined; used as the expansion lookup. */
    String lookup(String name) {
        String v = overrides.get(name);
        if (v == null) {
            v = mainValues.get(name);
        }
        return v != null ? v : defaultOrNull(name);
    }

    private String defaultOrNull(String name) {
        Optional<Parameter> p = registry.find(name);
        if (p.isPresent()) {
            return p.get().hostDependent() ? hostDefault(name) : p.get().defaultValue();
        }
        return registry.serviceParameterTemplate(name).map(t -> "$" + t.name()).orElse(null);
    }

    private String hostDefault(String name) {
        return switch (name) {
            case "myhostname" -> HostDefaults.myhostname(isSet("mydomain") ? get("mydomain") : null);
            case "mydomain" -> HostDefaults.mydomain(get("myhostname"));
            case "mynetworks" -> HostDefaults.mynetworks(get("mynetworks_style"), get("inet_protocols"));
            case "process_id" -> Long.toString(ProcessHandle.current().pid());
            case "process_name" -> processName;
            default -> throw new IllegalStateException("no host default for " + name);
        };
    }

    /** Whether a directory looks like a Postfix configuration directory. */
    public static boolean hasMainCf(Path dir) {
        return Files.isRegularFile(dir.resolve("main.cf"));
    }

    @Override
    public String toString() {
        return "Config[" + configDirectory + ", " + mainValues.size() + " settings"
                + (overrides.isEmpty() ? "" : ", overrides " + overrides.keySet()) + "]";
    }

    static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
