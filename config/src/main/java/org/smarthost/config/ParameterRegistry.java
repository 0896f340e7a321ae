package org.smarthost.config;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Every built-in parameter of Postfix 3.7, read from {@code parameters.tsv} (the one place where a
 * parameter is declared and marked implemented), plus the service-defined parameters Postfix derives
 * from master.cf service names (e.g. {@code relay_destination_concurrency_limit}).
 */
public final class ParameterRegistry {
    private static final String RESOURCE = "parameters.tsv";
    private static volatile ParameterRegistry standard;

    /** Suffixes Postfix appends to the name of a delivery service, with the parameter giving the default. */
    private static final Map<String, String> DELIVERY_SUFFIXES = orderedMap(
            "_recipient_limit", "default_recipient_limit",
            "_extra_recipient_limit", "default_extra_recipient_limit",
            "_recipient_refill_limit", "default_recipient_refill_limit",
            "_recipient_refill_delay", "default_recipient_refill_delay",
            "_delivery_slot_cost", "default_delivery_slot_cost",
            "_delivery_slot_loan", "default_delivery_slot_loan",
            "_delivery_slot_discount", "default_delivery_slot_discount",
            "_minimum_delivery_slots", "default_minimum_delivery_slots",
            "_initial_destination_concurrency", "initial_destination_concurrency",
            "_destination_concurrency_limit", "default_destination_concurrency_limit",
            "_destination_recipient_limit", "default_destination_recipient_limit",
            "_destination_concurrency_positive_feedback", "default_destination_concurrency_positive_feedback",
            "_destination_concurrency_negative_feedback", "default_destination_concurrency_negative_feedback",
            "_destination_concurrency_failed_cohort_limit", "default_destination_concurrency_failed_cohort_limit",
            "_destination_rate_delay", "default_destination_rate_delay",
            "_transport_rate_delay", "default_transport_rate_delay");
    private static final String TIME_LIMIT_SUFFIX = "_time_limit";

    private final Map<String, Parameter> byName;

    private ParameterRegistry(Map<String, Parameter> byName) {
        this.byName = Collections.unmodifiableMap(byName);
    }

    /** The registry of Postfix 3.7's built-in parameters (loaded once). */
    public static ParameterRegistry standard() {
        ParameterRegistry r = standard;
        if (r == null) {
            synchronized (ParameterRegistry.class) {
                if (standard == null) {
                    standard = load();
                }
                r = standard;
            }
        }
        return r;
    }

    private static ParameterRegistry load() {
        Map<String, Parameter> map = new TreeMap<>();
        try (InputStream in = ParameterRegistry.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + RESOURCE);
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                String[] f = line.split("\t", -1);
                if (f.length != 5) {
                    throw new IllegalStateException(RESOURCE + ": bad line: " + line);
                }
                List<String> flags = List.of(f[2].split(","));
                String typeText = f[1];
                char unit = typeText.startsWith("time:") ? typeText.charAt(5) : 0;
                map.put(f[0], new Parameter(f[0], ParameterType.parse(typeText), unit, f[3],
                        flags.contains("impl"), flags.contains("raw"), flags.contains("ro"),
                        flags.contains("host"), f[4]));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new ParameterRegistry(map);
    }

    /** A built-in parameter by name. */
    public Optional<Parameter> find(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** A built-in parameter by name; an unknown name is a programming error. */
    public Parameter get(String name) {
        Parameter p = byName.get(name);
        if (p == null) {
            throw new IllegalArgumentException("unknown Postfix parameter: " + name);
        }
        return p;
    }

    public boolean isBuiltin(String name) {
        return byName.containsKey(name);
    }

    /** All built-in parameters, sorted by name. */
    public Collection<Parameter> all() {
        return byName.values();
    }

    /** Built-in parameters smarthost implements, sorted by name. */
    public List<Parameter> implemented() {
        List<Parameter> out = new ArrayList<>();
        for (Parameter p : byName.values()) {
            if (p.implemented()) {
                out.add(p);
            }
        }
        return out;
    }

    /**
     * The service-defined parameters Postfix creates for a master.cf service running {@code command}
     * (delivery agents and pipe/spawn), in name order, each mapped to its default ({@code $param}).
     * Names that are already built in (e.g. {@code local_destination_concurrency_limit}) are left out.
     */
    public Map<String, String> serviceParameters(String serviceName, String command) {
        Map<String, String> out = new TreeMap<>();
        boolean delivery = switch (command) {
            case "local", "error", "virtual", "smtp", "lmtp", "pipe" -> true;
            default -> false;
        };
        if (delivery) {
            DELIVERY_SUFFIXES.forEach((suffix, def) -> out.put(serviceName + suffix, "$" + def));
        }
        if (command.equals("pipe") || command.equals("spawn")) {
            out.put(serviceName + TIME_LIMIT_SUFFIX, "$command_time_limit");
        }
        out.keySet().removeIf(byName::containsKey);
        return out;
    }

    /**
     * The built-in parameter a service-defined name takes its type from, e.g. {@code relay_recipient_limit}
     * → {@code default_recipient_limit}; empty when the name has no service-parameter suffix.
     */
    public Optional<Parameter> serviceParameterTemplate(String name) {
        // Several suffixes end alike (_recipient_limit, _destination_recipient_limit): the longest wins.
        String best = null;
        for (String suffix : DELIVERY_SUFFIXES.keySet()) {
            if (name.endsWith(suffix) && name.length() > suffix.length()
                    && (best == null || suffix.length() > best.length())) {
                best = suffix;
            }
        }
        if (best != null) {
            return find(DELIVERY_SUFFIXES.get(best));
        }
        if (name.endsWith(TIME_LIMIT_SUFFIX) && name.length() > TIME_LIMIT_SUFFIX.length()) {
            return find("command_time_limit");
        }
        return Optional.empty();
    }

    private static Map<String, String> orderedMap(String... kv) {
        Map<String, String> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return Collections.unmodifiableMap(m);
    }
}
