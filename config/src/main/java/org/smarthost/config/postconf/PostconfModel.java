package org.smarthost.config.postconf;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import org.smarthost.config.Config;
import org.smarthost.config.ConfigException;
import org.smarthost.config.MacroExpander;
import org.smarthost.config.MainCf;
import org.smarthost.config.MasterCf;
import org.smarthost.config.MasterService;
import org.smarthost.config.Parameter;
import org.smarthost.config.ParameterRegistry;

/**
 * What postconf knows about one configuration directory: built-in parameters, service-defined
 * parameters derived from master.cf, and user-defined parameters that are valid because something
 * refers to them ({@code $name}, or smtpd_restriction_classes), following Postfix's rules.
 */
final class PostconfModel {
    private static final String REST_CLASSES = "smtpd_restriction_classes";

    private final ParameterRegistry registry;
    private final String dir;
    private final PrintStream err;
    private final Map<String, String> main = new LinkedHashMap<>();
    private final Map<String, String> serviceParams = new TreeMap<>();
    private final Set<String> userValid = new HashSet<>();
    private final List<Scope> scopes = new ArrayList<>();
    private Config config;
    private Config defaultsConfig;

    /** The -o name space of one master.cf service. */
    private record Scope(MasterService service, Map<String, String> params, Set<String> valid) {
    }

    private PostconfModel(ParameterRegistry registry, String dir, PrintStream err) {
        this.registry = registry;
        this.dir = dir;
        this.err = err;
    }

    static PostconfModel load(ParameterRegistry registry, String dir, boolean explicitDir, boolean defaultsOnly,
                              boolean masterRequired, Map<String, String> overrides, PrintStream err) {
        PostconfModel m = new PostconfModel(registry, dir, err);
        // Postfix reads master.cf first when master.cf is what is shown, main.cf first otherwise
        if (masterRequired) {
            m.readMaster(true);
        }
        if (!defaultsOnly) {
            MainCf mainCf = MainCf.parse(dir + "/main.cf", readMain(dir + "/main.cf"));
            mainCf.warnings().forEach(m::warn);
            mainCf.entries().forEach(e -> m.main.put(e.name(), e.value()));
            if (explicitDir) {
                m.main.put("config_directory", dir);
            }
            m.main.putAll(overrides);
        }
        if (!masterRequired) {
            m.readMaster(false);
        }
        for (Scope s : m.scopes) {
            m.serviceParams.putAll(registry.serviceParameters(s.service().name(), s.service().command()));
        }
        m.config = Config.of(registry, Path.of(dir), m.main).withProcessName(Postconf.PROGRAM);
        if (!defaultsOnly) {
            m.checkExpansions();
            m.registerUserParameters();
        }
        m.defaultsConfig = Config.of(registry, Path.of("/etc/postfix"), Map.of()).withProcessName(Postconf.PROGRAM);
        return m;
    }

    private static String readMain(String path) {
        try {
            return Files.readString(Path.of(path));
        } catch (java.nio.file.NoSuchFileException e) {
            throw new ConfigException("open " + path + ": No such file or directory");
        } catch (java.io.IOException e) {
            throw new ConfigException("open " + path + ": " + e.getMessage());
        }
    }

    private void readMaster(boolean required) {
        String path = dir + "/master.cf";
        String text;
        try {
            text = Files.readString(Path.of(path));
        } catch (java.nio.file.NoSuchFileException e) {
            if (required) {
                throw new ConfigException("open " + path + ": No such file or directory");
            }
            warn("open " + path + ": No such file or directory");
            return;
        } catch (java.io.IOException e) {
            warn("open " + path + ": " + e.getMessage());
            return;
        }
        MasterCf master = MasterCf.parse(path, text);
        master.warnings().forEach(this::warn);
        for (MasterService s : master.services()) {
            scopes.add(new Scope(s, s.overrides(), new HashSet<>()));
        }
    }

    /**
     * Postfix evaluates main.cf values when it reads them: a malformed {@code $} reference or a
     * reference loop is fatal even for postconf -n.
     */
    private void checkExpansions() {
        for (Map.Entry<String, String> e : main.entrySet()) {
            if (isRaw(e.getKey())) {
                continue;
            }
            try {
                MacroExpander.scan(e.getValue());
            } catch (ConfigException ex) {
                // Postfix parses a value twice (scan, then evaluation) and complains each time
                warn(ex.getMessage());
                warn(ex.getMessage());
                throw new ConfigException("macro processing error");
            }
        }
        for (Map.Entry<String, String> e : main.entrySet()) {
            if (isRaw(e.getKey())) {
                continue;
            }
            try {
                config.expand(e.getValue());
            } catch (ConfigException ex) {
                warn(ex.getMessage());
                throw new ConfigException("macro processing error");
            }
        }
    }

    void warn(String message) {
        err.println(Postconf.PROGRAM + ": warning: " + message);
    }

    // ------------------------------------------------------------------ user-defined parameters

    private void registerUserParameters() {
        Set<String> globalClasses = new HashSet<>();
        for (Scope s : scopes) {
            if (!s.params().isEmpty()) {
                scanNamespace(s.params(), s, globalClasses);
            }
        }
        // Defaults may name obsolete parameters on purpose; a main.cf setting of such a name is "used".
        for (Parameter p : registry.all()) {
            if (!p.raw() && !main.containsKey(p.name()) && !p.hostDependent()) {
                validateOnly(p.defaultValue());
            }
        }
        scanNamespace(main, null, globalClasses);
    }

    private void scanNamespace(Map<String, String> params, Scope scope, Set<String> globalClasses) {
        String classes = params.get(REST_CLASSES);
        if (classes != null) {
            String expanded = MacroExpander.expand(classes, n -> scope != null && scope.params().containsKey(n)
                    ? scope.params().get(n) : main.get(n));
            for (String name : expanded.split("[, \t\r\n]+")) {
                if (name.isEmpty()) {
                    continue;
                }
                if (scope == null) {
                    globalClasses.add(name);
                }
                flagUser(name, scope);
            }
        }
        for (String name : List.copyOf(params.keySet())) {
            String value = params.get(name);
            if (scope != null && globalClasses.contains(name)) {
                scope.valid().add(name);
            }
            Parameter p = registry.find(name).orElse(null);
            if (p != null) {
                if (p.readOnly()) {
                    warn(dir + "/" + (scope == null ? "main.cf" : "master.cf")
                            + ": read-only parameter assignment: " + name + "=" + value);
                    params.remove(name);
                    continue;
                }
                if (p.raw()) {
                    continue;
                }
            }
            scanValue(value, scope);
        }
    }

    private void scanValue(String value, Scope scope) {
        for (String name : MacroExpander.scan(value)) {
            flagUser(name, scope);
        }
    }

    /** A default naming a legacy parameter validates a main.cf setting of it, but never warns. */
    private void validateOnly(String value) {
        for (String name : MacroExpander.scan(value)) {
            if (main.containsKey(name) && !isGlobal(name)) {
                userValid.add(name);
            }
            for (Scope s : scopes) {
                if (s.params().containsKey(name)) {
                    s.valid().add(name);
                }
            }
        }
    }

    private void flagUser(String name, Scope scope) {
        boolean supplied = false;
        if (scope != null && scope.params().containsKey(name)) {
            supplied = true;
            scope.valid().add(name);
        } else if (main.containsKey(name)) {
            supplied = true;
            if (!isGlobal(name)) {
                userValid.add(name);
            }
        }
        if (scope == null) {
            for (Scope s : scopes) {
                if (s.params().containsKey(name)) {
                    supplied = true;
                    s.valid().add(name);
                }
            }
        }
        if (!supplied && !isGlobal(name)) {
            warn(dir + "/" + (scope == null ? "main.cf" : "master.cf") + ": undefined parameter: " + name);
        }
    }

    private boolean isGlobal(String name) {
        return registry.isBuiltin(name) || serviceParams.containsKey(name) || userValid.contains(name);
    }

    /** Warns about main.cf and master.cf settings nothing uses (after the regular output, like Postfix). */
    void flagUnused(boolean includeMain) {
        if (includeMain) {
            main.forEach((name, value) -> {
                if (!isGlobal(name)) {
                    warn(dir + "/main.cf: unused parameter: " + name + "=" + value);
                }
            });
        }
        for (Scope s : scopes) {
            s.params().forEach((name, value) -> {
                if (!isGlobal(name) && !s.valid().contains(name)) {
                    warn(dir + "/master.cf: unused parameter: " + name + "=" + value);
                }
            });
        }
    }

    // ------------------------------------------------------------------ queries

    private Set<String> classes = Set.of("builtin", "service", "user");

    /** Limits {@link #names()} to postconf -C classes (builtin, service, user). */
    void restrictToClasses(Set<String> wanted) {
        classes = Set.copyOf(wanted);
    }

    /** Every known name in the selected classes, sorted. */
    Set<String> names() {
        Set<String> all = new TreeSet<>();
        if (classes.contains("builtin")) {
            registry.all().forEach(p -> all.add(p.name()));
        }
        if (classes.contains("service")) {
            all.addAll(serviceParams.keySet());
        }
        if (classes.contains("user")) {
            all.addAll(userValid);
        }
        return all;
    }

    boolean isKnown(String name) {
        return isGlobal(name);
    }

    boolean isSetInMain(String name) {
        return main.containsKey(name) && isGlobal(name);
    }

    boolean isRaw(String name) {
        return registry.find(name).map(Parameter::raw).orElse(false);
    }

    String value(String name) {
        String v = main.get(name);
        if (v != null) {
            return v;
        }
        // host-dependent defaults follow main.cf (e.g. mydomain from a configured myhostname)
        return registry.find(name).map(Parameter::hostDependent).orElse(false)
                ? config.defaultValue(name) : defaultValue(name);
    }

    String defaultValue(String name) {
        String def = serviceParams.get(name);
        if (def != null) {
            return def;
        }
        if (userValid.contains(name)) {
            return main.get(name);
        }
        return defaultsConfig.defaultValue(name);
    }

    String expand(String value) {
        return config.expand(value);
    }

    /** Expands a master.cf -o value in its service's name space ($service_name included). */
    String expandInService(MasterService service, String value) {
        Map<String, String> local = new LinkedHashMap<>(service.overrides());
        local.put("service_name", service.name());
        return config.withOverrides(local).expand(value);
    }

    String expandDefault(String value) {
        return defaultsConfig.expand(value);
    }

    List<MasterService> masterServices() {
        List<MasterService> out = new ArrayList<>();
        scopes.forEach(s -> out.add(s.service()));
        return out;
    }
}
