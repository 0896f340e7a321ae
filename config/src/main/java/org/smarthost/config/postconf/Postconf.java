package org.smarthost.config.postconf;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import org.smarthost.config.ConfigException;
import org.smarthost.config.MainCf;
import org.smarthost.config.MasterCf;
import org.smarthost.config.MasterService;
import org.smarthost.config.ParameterRegistry;

import org.smarthost.config.GetoptStyle;
import org.smarthost.config.tables.LookupTables;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code postconf}: show and edit main.cf and master.cf with Postfix's flags, output and messages.
 * Mount it as a picocli subcommand, or call {@link #run(String...)}.
 */
@Command(name = "postconf", description = "Postfix configuration utility", mixinStandardHelpOptions = false)
public final class Postconf implements Callable<Integer> {
    static final String PROGRAM = "postconf";

    @Option(names = "-c", paramLabel = "config_dir", description = "configuration directory")
    Path configDir;
    @Option(names = "-d", description = "show default values")
    boolean defaults;
    @Option(names = "-n", description = "show only parameters set in main.cf")
    boolean nonDefault;
    @Option(names = "-h", description = "show values only")
    boolean valuesOnly;
    @Option(names = "-H", description = "show names only")
    boolean namesOnly;
    @Option(names = "-x", description = "expand $name in values")
    boolean expand;
    @Option(names = "-f", description = "fold long lines")
    boolean fold;
    @Option(names = "-e", description = "edit: set name=value")
    boolean edit;
    @Option(names = "-X", description = "edit: remove parameters")
    boolean remove;
    @Option(names = "-#", description = "edit: comment out parameters")
    boolean commentOut;
    @Option(names = "-m", description = "list lookup table types")
    boolean mapTypes;
    @Option(names = "-M", description = "master.cf services")
    boolean master;
    @Option(names = "-F", description = "master.cf service fields")
    boolean masterFields;
    @Option(names = "-P", description = "master.cf service parameters")
    boolean masterParams;
    @Option(names = "-p", description = "main.cf parameters (the default)")
    boolean mainParams;
    @Option(names = "-l", description = "list mailbox lock methods")
    boolean lockTypes;
    @Option(names = "-o", paramLabel = "name=value", description = "override a main.cf parameter")
    List<String> parameterOverrides = new ArrayList<>();
    @Option(names = "-C", paramLabel = "class", description = "parameter classes: builtin, service, user, all")
    List<String> classes = new ArrayList<>();
    @Option(names = "-v", description = "verbose (ignored)")
    boolean[] verbose = new boolean[0];
    @Parameters(arity = "0..*", paramLabel = "name")
    List<String> names = new ArrayList<>();

    private PrintStream out = System.out;
    private PrintStream err = System.err;
    private Map<String, String> env = System.getenv();

    /** Runs postconf with the given arguments on System.out/System.err; returns the exit status. */
    public static int run(String... args) {
        return run(System.out, System.err, System.getenv(), args);
    }

    /** Runs postconf with explicit streams and environment (MAIL_CONFIG is read from {@code env}). */
    public static int run(PrintStream out, PrintStream err, Map<String, String> env, String... args) {
        Postconf cmd = new Postconf();
        cmd.out = out;
        cmd.err = err;
        cmd.env = env;
        CommandLine cl = GetoptStyle.commandLine(cmd, PROGRAM, USAGE, KNOWN_FLAGS, "coC", err);
        try {
            return cl.execute(args);
        } finally {
            out.flush();
            err.flush();
        }
    }

    static final String USAGE = "usage: postconf [-a (server SASL types)] [-A (client SASL types)] "
            + "[-b (bounce templates)] [-c config_dir] [-c param_class] [-d (parameter defaults)] "
            + "[-e (edit configuration)] [-f (fold lines)] [-F (master.cf fields)] [-h (no names)] "
            + "[-H (no values)] [-l (lock types)] [-m (map types)] [-M (master.cf)] [-n (non-default parameters)] "
            + "[-o name=value (override parameter value)] [-p (main.cf, default)] [-P (master.cf parameters)] "
            + "[-t (bounce templates)] [-T compile-version|run-version|public-key-algorithms] [-v (verbose)] "
            + "[-x (expand parameter values)] [-X (exclude)] [-# (comment-out)] [name...]";

    private static final String KNOWN_FLAGS = "cdefFhHlmMnopPvxX#C";


    public static void main(String[] args) {
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), false,
                StandardCharsets.UTF_8);
        System.exit(run(out, System.err, System.getenv(), args));
    }

    @Override
    public Integer call() {
        try {
            return execute();
        } catch (ConfigException e) {
            out.flush();
            err.println(PROGRAM + ": fatal: " + e.getMessage());
            return 1;
        }
    }

    private int execute() {
        boolean explicitDir = configDir != null;
        String dir;
        if (configDir != null) {
            dir = configDir.toString();
        } else if (env.get("MAIL_CONFIG") != null && !env.get("MAIL_CONFIG").isEmpty()) {
            dir = env.get("MAIL_CONFIG");
            explicitDir = true;
        } else {
            dir = "/etc/postfix";
        }
        // "postconf name=value" means "postconf -e name=value" (also for -M, -F and -P)
        boolean listingMode = mapTypes || lockTypes;
        if (!listingMode && !names.isEmpty() && names.get(0).indexOf('=') >= 0) {
            edit = true;
        }
        checkOptionConflicts();
        int editModes = (edit ? 1 : 0) + (remove ? 1 : 0) + (commentOut ? 1 : 0);
        if (mapTypes) {
            for (String t : LookupTables.supportedTypes()) {
                out.println(t);
            }
            return 0;
        }
        if (lockTypes) {
            for (String t : List.of("flock", "fcntl", "dotlock")) {
                out.println(t);
            }
            return 0;
        }
        Map<String, String> overrides = new LinkedHashMap<>();
        for (String o : parameterOverrides) {
            String[] nv = MainCf.splitNameValue(o);
            if (nv.length == 1) {
                throw new ConfigException("invalid parameter override: " + o + ": " + nv[0]);
            }
            overrides.put(nv[0], nv[1]);
        }
        java.util.Set<String> classSet = new java.util.HashSet<>();
        for (String c : classes) {
            for (String v : c.split("[, \t]+")) {
                if (v.isEmpty()) {
                    continue;
                }
                if (!List.of("builtin", "service", "user", "all").contains(v)) {
                    throw new ConfigException("unknown -C option value \"" + v + "\" in \"" + c + "\"");
                }
                classSet.add(v);
            }
        }
        if (editModes == 1) {
            return new PostconfEditor(dir, err).edit(edit ? MainCf.EditMode.SET
                    : remove ? MainCf.EditMode.REMOVE : MainCf.EditMode.COMMENT_OUT,
                    master, masterFields, masterParams, names);
        }
        boolean masterMode = master || masterFields || masterParams;
        PostconfModel model = PostconfModel.load(ParameterRegistry.standard(), dir, explicitDir, defaults,
                masterMode, overrides, err);
        if (!classSet.isEmpty() && !classSet.contains("all")) {
            model.restrictToClasses(classSet);
        }
        if (master || masterFields || masterParams) {
            showMaster(model);
        } else {
            showMain(model);
        }
        if (!defaults) {
            out.flush();
            model.flagUnused(!(master || masterFields || masterParams));
        }
        return 0;
    }

    /** Option letters in the order Postfix names them in its messages. */
    private static final String FLAG_ORDER = "aAbCdefFhHlmMnopPtTxX#";
    /** Groups of which at most one option may be given. */
    private static final List<String> EXCLUSIVE = List.of("aAblmtpMFPT", "den#X", "fe#X", "xe#X", "ode#X", "he#XH");
    /** Per major mode, the modifiers it accepts (-C is never checked: Postfix 3.7 does not record it). */
    private static final Map<Character, String> COMPATIBLE = Map.ofEntries(
            Map.entry('a', ""), Map.entry('A', ""), Map.entry('b', ""), Map.entry('l', ""), Map.entry('m', ""),
            Map.entry('T', ""), Map.entry('t', ""),
            Map.entry('p', "eX#fhCxdnoH"), Map.entry('M', "eX#fox"), Map.entry('F', "efhoxH"),
            Map.entry('P', "eXfhoxH"));

    /** Postfix's rules for options that cannot be combined, with its messages. */
    private void checkOptionConflicts() {
        StringBuilder given = new StringBuilder();
        Map<Character, Boolean> set = new LinkedHashMap<>();
        set.put('d', defaults);
        set.put('e', edit);
        set.put('f', fold);
        set.put('F', masterFields);
        set.put('h', valuesOnly);
        set.put('H', namesOnly);
        set.put('l', lockTypes);
        set.put('m', mapTypes);
        set.put('M', master);
        set.put('n', nonDefault);
        set.put('o', !parameterOverrides.isEmpty());
        set.put('p', mainParams);
        set.put('P', masterParams);
        set.put('x', expand);
        set.put('X', remove);
        set.put('#', commentOut);
        set.forEach((c, on) -> {
            if (on) {
                given.append(c);
            }
        });
        boolean anyMajor = given.chars().anyMatch(c -> EXCLUSIVE.get(0).indexOf(c) >= 0);
        if (!anyMajor) {
            given.append('p');
        }
        for (String group : EXCLUSIVE) {
            String inGroup = selected(given, group);
            if (inGroup.length() > 1) {
                throw new ConfigException("specify one of " + flagNames(inGroup));
            }
        }
        for (char mode : "aAblmTtpMFP".toCharArray()) {
            String allowed = COMPATIBLE.get(mode);
            if (allowed == null || given.indexOf(String.valueOf(mode)) < 0) {
                continue;
            }
            StringBuilder excess = new StringBuilder();
            for (char c : given.toString().toCharArray()) {
                if (c != mode && allowed.indexOf(c) < 0) {
                    excess.append(c);
                }
            }
            if (excess.length() > 0) {
                throw new ConfigException("with option -" + mode + ", do not specify "
                        + flagNames(selected(excess, FLAG_ORDER)));
            }
        }
    }

    /** The letters of {@code given} that occur in {@code group}, in Postfix's naming order. */
    private static String selected(CharSequence given, String group) {
        StringBuilder out = new StringBuilder();
        for (char c : FLAG_ORDER.toCharArray()) {
            if (group.indexOf(c) >= 0 && given.toString().indexOf(c) >= 0) {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static String flagNames(String letters) {
        StringBuilder out = new StringBuilder();
        for (char c : letters.toCharArray()) {
            if (out.length() > 0) {
                out.append(' ');
            }
            out.append('-').append(c);
        }
        return out.toString();
    }

    private void showMain(PostconfModel model) {
        if (names.isEmpty()) {
            for (String name : model.names()) {
                if (nonDefault && !model.isSetInMain(name)) {
                    continue;
                }
                printParameter(model, name);
            }
            return;
        }
        for (String name : names) {
            if (!model.isKnown(name)) {
                out.flush();
                err.println(PROGRAM + ": warning: " + name + ": unknown parameter");
                continue;
            }
            if (nonDefault && !model.isSetInMain(name)) {
                continue;
            }
            printParameter(model, name);
        }
    }

    private void printParameter(PostconfModel model, String name) {
        if (namesOnly) {
            out.println(name);
            return;
        }
        String value = defaults ? model.defaultValue(name) : model.value(name);
        if (expand && !model.isRaw(name)) {
            value = defaults ? model.expandDefault(value) : model.expand(value);
        }
        String words = joinWords(value);
        if (valuesOnly) {
            out.println(foldWords(words, fold));
        } else {
            out.println(foldWords(words.isEmpty() ? name + " =" : name + " = " + words, fold));
        }
    }

    /** Postfix prints values word by word, so whitespace runs collapse to one space. */
    static String joinWords(String value) {
        String s = value.strip();
        return s.isEmpty() ? "" : String.join(" ", s.split("\\s+"));
    }

    /** Postfix's pcf_print_line: words joined by one blank, wrapped before column 80 when folding. */
    static String foldWords(String text, boolean fold) {
        StringBuilder out = new StringBuilder();
        int lineLen = 0;
        for (String w : text.isEmpty() ? new String[0] : text.split(" ")) {
            if (lineLen > 0) {
                if (!fold || lineLen + w.length() < 80) {
                    out.append(' ');
                    lineLen++;
                } else {
                    out.append("\n    ");
                    lineLen = 4;
                }
            }
            out.append(w);
            lineLen += w.length();
        }
        return out.toString();
    }

    private void showMaster(PostconfModel model) {
        List<MasterService> services = model.masterServices();
        List<String> patterns = names;
        for (String p : patterns) {
            validatePattern(p);
        }
        boolean[] matched = new boolean[patterns.size()];
        for (MasterService s : services) {
            for (String[] item : masterItems(s, model)) {
                for (int i = 0; i < patterns.size(); i++) {
                    matched[i] |= matches(patterns.get(i), item[0]);
                }
            }
        }
        for (int i = 0; i < patterns.size(); i++) {
            if (!matched[i]) {
                err.println(PROGRAM + ": warning: unmatched request: \"" + patterns.get(i) + "\"");
            }
        }
        for (MasterService s : services) {
            MasterService shown = expand && !masterParams ? expanded(s, model) : s;
            List<String[]> items = masterItems(s, model);
            if (patterns.isEmpty()) {
                items.forEach(item -> printMasterItem(s, shown, item));
                continue;
            }
            if (master) {
                // one line per service, however many patterns match it
                if (patterns.stream().anyMatch(p -> matches(p, items.get(0)[0]))) {
                    printMasterItem(s, shown, items.get(0));
                }
                continue;
            }
            for (String p : patterns) {
                for (String[] item : items) {
                    if (matches(p, item[0])) {
                        printMasterItem(s, shown, item);
                    }
                }
            }
        }
    }

    private void printMasterItem(MasterService s, MasterService shown, String[] item) {
        if (master) {
            out.println(MasterCf.format(shown, fold));
        } else if (namesOnly) {
            out.println(item[0]);
        } else if (masterFields && item[0].endsWith("/command")) {
            out.println(commandField(shown, item[0]));
        } else if (valuesOnly) {
            out.println(masterParams ? foldWords(item[1], fold) : item[1]);
        } else if (masterParams) {
            out.println(foldWords(item[1].isEmpty() ? item[0] + " =" : item[0] + " = " + item[1], fold));
        } else {
            out.println(item[1].isEmpty() ? item[0] + " =" : item[0] + " = " + item[1]);
        }
    }

    /** Postfix's checks on service patterns (name[/type[/field or parameter]]). */
    private void validatePattern(String pattern) {
        String[] p = pattern.split("/", -1);
        boolean empty = false;
        for (String c : p) {
            empty |= c.isEmpty();
        }
        if (master) {
            if (p.length > 2 || empty) {
                throw new ConfigException("-M option requires service_name[/type]");
            }
        } else if (masterFields) {
            if (p.length > 3 || empty) {
                throw new ConfigException("-F option requires service_name[/type[/field]]");
            }
            if (p.length == 3 && !p[2].equals("*") && !MasterService.FIELD_NAMES.contains(p[2])) {
                throw new ConfigException("invalid service attribute name: \"" + p[2] + "\"");
            }
        } else if (p.length > 3 || empty || p.length == 3 && !p[2].equals("*") && !p[2].matches("[A-Za-z0-9_]+")) {
            throw new ConfigException("-P option requires service_name[/type[/parameter]]");
        }
    }

    /** (key, value) pairs this service contributes to -M, -F or -P output. */
    private List<String[]> masterItems(MasterService original, PostconfModel model) {
        List<String[]> items = new ArrayList<>();
        MasterService s = expand && !masterParams
                ? original.withOverrideValues(v -> joinWords(model.expandInService(original, v))) : original;
        String prefix = s.name() + "/" + s.type();
        if (master) {
            items.add(new String[] {prefix, ""});
        } else if (masterFields) {
            for (String f : MasterService.FIELD_NAMES) {
                items.add(new String[] {prefix + "/" + f, s.field(f)});
            }
        } else {
            Map<String, String> params = new java.util.TreeMap<>(s.overrides());
            params.forEach((k, v) -> items.add(new String[] {prefix + "/" + k,
                joinWords(expand ? model.expandInService(s, v) : v)}));
        }
        return items;
    }

    /** The -F command field, laid out like Postfix (including its -h spacing quirk for short commands). */
    private String commandField(MasterService s, String key) {
        MasterService shown = s;
        StringBuilder sb = new StringBuilder();
        int lineLen = 0;
        if (!valuesOnly) {
            sb.append(key).append(" = ");
            lineLen = sb.length();
        }
        if (lineLen > 0 && lineLen + shown.command().length() > 80) {
            sb.append("\n    ");
            lineLen = 4;
        }
        sb.append(shown.command());
        lineLen += shown.command().length();
        return MasterCf.appendArguments(sb, lineLen, shown, fold);
    }

    private MasterService expanded(MasterService s, PostconfModel model) {
        return s.withOverrideValues(v -> joinWords(model.expandInService(s, v)));
    }

    /** Matches service patterns like "name", "name/type", "/type", "name/type/field" with "*" wildcards. */
    private boolean matches(String pattern, String key) {
        String[] p = pattern.split("/", -1);
        String[] k = key.split("/", -1);
        if (master && p.length > 2 || p.length > k.length) {
            return false;
        }
        for (int i = 0; i < p.length; i++) {
            if (!p[i].isEmpty() && !p[i].equals("*") && !p[i].equals(k[i])) {
                return false;
            }
        }
        return true;
    }
}
