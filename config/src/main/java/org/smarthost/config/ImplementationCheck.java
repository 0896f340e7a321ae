package org.smarthost.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * For {@code postfix check}: which main.cf settings smarthost accepts but does not act on yet, so an
 * administrator is not misled into thinking a Postfix feature is active.
 */
public final class ImplementationCheck {
    private ImplementationCheck() {
    }

    /**
     * Names set explicitly in main.cf (config_directory aside) that are Postfix parameters smarthost does not
     * implement, sorted; service-defined names such as {@code relay_destination_concurrency_limit} count
     * as unimplemented, user-defined names (e.g. restriction classes) are not parameters and are left out.
     */
    public static List<String> unimplementedSettings(Config config) {
        ParameterRegistry registry = config.registry();
        List<String> out = new ArrayList<>();
        for (String name : new TreeMap<>(config.mainValues()).keySet()) {
            if (name.equals("config_directory")) {
                continue;
            }
            boolean builtin = registry.find(name).map(p -> !p.implemented()).orElse(false);
            boolean serviceDefined = !registry.isBuiltin(name) && registry.serviceParameterTemplate(name).isPresent();
            if (builtin || serviceDefined) {
                out.add(name);
            }
        }
        return out;
    }

    /** Warning texts, in postconf's style, e.g. "/etc/postfix/main.cf: parameter not implemented by smarthost: biff=no". */
    public static List<String> warnings(Config config) {
        List<String> out = new ArrayList<>();
        Map<String, String> values = config.mainValues();
        for (String name : unimplementedSettings(config)) {
            out.add(config.configDirectory() + "/main.cf: parameter not implemented by smarthost: "
                    + name + "=" + values.get(name));
        }
        return out;
    }
}
