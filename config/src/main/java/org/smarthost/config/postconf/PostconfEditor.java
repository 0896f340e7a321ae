package org.smarthost.config.postconf;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.smarthost.config.ConfigException;
import org.smarthost.config.MainCf;
import org.smarthost.config.MasterCfEditor;

/** postconf -e, -X and -# on main.cf, with Postfix's argument checks and messages. */
final class PostconfEditor {
    private final String dir;
    private final PrintStream err;

    PostconfEditor(String dir, PrintStream err) {
        this.dir = dir;
        this.err = err;
    }

    int edit(MainCf.EditMode mode, boolean master, boolean fields, boolean params, List<String> args) {
        if (args.isEmpty()) {
            throw new ConfigException(mode == MainCf.EditMode.SET ? "-e requires name=value argument"
                    : "missing service argument");
        }
        if (master || fields || params) {
            MasterCfEditor.Target target = master ? MasterCfEditor.Target.ENTRY
                    : fields ? MasterCfEditor.Target.FIELD : MasterCfEditor.Target.PARAMETER;
            List<String> warnings = MasterCfEditor.editFile(Path.of(dir + "/master.cf"), mode, target, args);
            warnings.forEach(w -> err.println(Postconf.PROGRAM + ": warning: " + w));
            return 0;
        }
        Map<String, String> settings = new LinkedHashMap<>();
        for (String arg : args) {
            if (arg.indexOf('\n') >= 0) {
                throw new ConfigException("-e, -X, or -# accepts no multi-line input");
            }
            String cp = arg.stripLeading();
            if (cp.startsWith("#")) {
                throw new ConfigException("-e, -X, or -# accepts no comment input");
            }
            String name;
            String value;
            if (mode == MainCf.EditMode.SET) {
                String[] nv = MainCf.splitNameValue(cp);
                if (nv.length == 1) {
                    throw new ConfigException(nv[0] + ": \"" + cp + "\"");
                }
                name = nv[0];
                value = nv[1];
            } else {
                if (cp.isEmpty()) {
                    throw new ConfigException("-X or -# requires non-blank parameter names");
                }
                if (cp.indexOf('=') >= 0) {
                    throw new ConfigException("-X or -# requires parameter names without value");
                }
                name = cp.strip();
                value = null;
            }
            if (settings.containsKey(name)) {
                err.println(Postconf.PROGRAM + ": warning: ignoring earlier request: '" + name + " = "
                        + settings.get(name) + "'");
                settings.remove(name);
            }
            settings.put(name, value);
        }
        List<String> warnings = MainCf.editFile(Path.of(dir + "/main.cf"), mode, settings);
        warnings.forEach(w -> err.println(Postconf.PROGRAM + ": warning: " + w));
        return 0;
    }
}
