package org.smarthost.config.postmap;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

import org.slf4j.LoggerFactory;
import org.smarthost.config.Config;
import org.smarthost.config.ConfigException;
import org.smarthost.config.tables.IndexedTables;
import org.smarthost.config.tables.ListableTable;
import org.smarthost.config.tables.LookupException;
import org.smarthost.config.tables.LookupTable;
import org.smarthost.config.tables.LookupTables;
import org.smarthost.config.tables.TableContext;
import org.smarthost.config.tables.TableLog;
import org.smarthost.config.tables.TableOpenException;

import org.smarthost.config.GetoptStyle;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code postmap}: build, query, list and edit lookup tables with Postfix's flags, output, messages
 * and exit statuses. Without a type, a file name gets main.cf's default_database_type; relative
 * names start in the working directory.
 *
 * <p>Accepted and ignored, because they change nothing in smarthost's table format or have no
 * counterpart: -n and -N (whether keys end in a null byte: smarthost's format stores lengths),
 * -o (run as the source file's owner: postmap runs as the caller), -u and -U (SMTPUTF8 checks).
 * Not implemented, and refused with a fatal error: -b, -h, -m (querying with the headers or body of
 * a message on stdin) and -F (file names as values).
 */
@Command(name = "postmap", description = "Postfix lookup table management", mixinStandardHelpOptions = false)
public final class Postmap implements Callable<Integer> {
    static final String PROGRAM = "postmap";
    static final String USAGE = "usage: postmap [-bfFhimnNoprsuUvw] [-c config_dir] [-d key] [-q key] [map_type:]file...";

    @Option(names = "-c", paramLabel = "config_dir") Path configDir;
    @Option(names = "-d", paramLabel = "key") String deleteKey;
    @Option(names = "-q", paramLabel = "key") String queryKey;
    @Option(names = "-i") boolean incremental;
    @Option(names = "-s") boolean sequence;
    @Option(names = "-f") boolean noFold;
    @Option(names = "-r") boolean replaceDuplicates;
    @Option(names = "-w") boolean ignoreDuplicates;
    @Option(names = "-p") boolean noPermissions;
    @Option(names = "-j") boolean json;
    @Option(names = "-v") boolean[] verbose = new boolean[0];
    @Option(names = {"-n", "-N", "-o", "-u", "-U"}) boolean[] ignored = new boolean[0];
    @Option(names = {"-b", "-h", "-m", "-F"}) boolean[] unsupported = new boolean[0];
    @Parameters(arity = "0..*", paramLabel = "[map_type:]file") List<String> files = new ArrayList<>();

    private PrintStream out = System.out;
    private PrintStream err = System.err;
    private InputStream in = System.in;
    private Map<String, String> env = System.getenv();
    private Path cwd = Path.of("");
    private String unsupportedFlag;

    /** A fatal error: printed as "postmap: fatal: ...", exit status 1. */
    private static final class Fatal extends RuntimeException {
        Fatal(String message) {
            super(message);
        }
    }

    /** Runs postmap; MAIL_CONFIG is read from {@code env}, relative file names start at {@code cwd}. */
    public static int run(PrintStream out, PrintStream err, InputStream in, Map<String, String> env, Path cwd,
                          String... args) {
        Postmap cmd = new Postmap();
        cmd.out = out;
        cmd.err = err;
        cmd.in = in;
        cmd.env = env;
        cmd.cwd = cwd;
        CommandLine cl = GetoptStyle.commandLine(cmd, PROGRAM, USAGE, KNOWN_FLAGS, "cdq", err);
        try {
            // which of -b -h -m -F was given: picocli only counts them
            for (String a : args) {
                if (a.equals("--") || !a.startsWith("-")) break;
                for (char ch : a.substring(1).toCharArray()) {
                    if ("bhmF".indexOf(ch) >= 0 && cmd.unsupportedFlag == null) cmd.unsupportedFlag = "-" + ch;
                    if ("cdq".indexOf(ch) >= 0) break;
                }
            }
            return cl.execute(args);
        } finally {
            out.flush();
            err.flush();
        }
    }

    private static final String KNOWN_FLAGS = "bcdfFhijmnNopqrsuUvw";


    @Override
    public Integer call() {
        try {
            return execute();
        } catch (Fatal | ConfigException e) {
            out.flush();
            err.println(PROGRAM + ": fatal: " + e.getMessage());
            return 1;
        }
    }

    private int execute() {
        int modes = (deleteKey != null ? 1 : 0) + (queryKey != null ? 1 : 0) + (incremental ? 1 : 0) + (sequence ? 1 : 0);
        if (modes > 1) throw new Fatal("specify only one of -d -i -q or -s");
        if (json && queryKey == null && !sequence) throw new Fatal("option -j requires -q or -s");
        if (unsupportedFlag != null) throw new Fatal("option " + unsupportedFlag + " is not implemented by smarthost");
        String defaultType = Config.load(configDirectory()).get("default_database_type");
        if (files.isEmpty()) throw new Fatal(USAGE);
        TableContext context = new TableContext(cwd, log(), !noFold,
                ignoreDuplicates ? TableContext.Duplicates.IGNORE
                        : replaceDuplicates ? TableContext.Duplicates.REPLACE : TableContext.Duplicates.WARN);
        List<String> specs = files.stream().map(f -> withType(f, defaultType)).toList();
        if (deleteKey != null) return delete(specs, context);
        if (queryKey != null) return queryKey.equals("-") ? queries(specs, context) : query(specs, context);
        if (sequence) return sequence(specs.get(0), context);
        for (String spec : specs) build(spec, context);
        return 0;
    }

    private Path configDirectory() {
        if (configDir != null) return configDir;
        String dir = env.get("MAIL_CONFIG");
        return dir == null || dir.isEmpty() ? Config.DEFAULT_CONFIG_DIRECTORY : Path.of(dir);
    }

    /** "file" becomes "default_database_type:file"; "type:file" stays. */
    private static String withType(String file, String defaultType) {
        return file.indexOf(':') > 0 ? file : defaultType + ":" + file;
    }

    private TableLog log() {
        return new TableLog() {
            @Override
            public void warning(String text) {
                err.println(PROGRAM + ": warning: " + text);
            }

            @Override
            public void info(String text) {
                if (verbose.length > 0) err.println(PROGRAM + ": " + text);
            }
        };
    }

    private void verbose(String text) {
        if (verbose.length > 0) err.println(PROGRAM + ": " + text);
    }

    /** "postmap type:file" and "postmap -i type:file". */
    private void build(String spec, TableContext context) {
        String type = type(spec);
        String name = spec.substring(type.length() + 1);
        if (type.equals("proxy")) throw new Fatal("can't create maps via the proxy service");
        if (!IndexedTables.known(type)) throw new Fatal("unsupported map type: " + type);
        if (!IndexedTables.indexed(type)) {
            throw new Fatal(incremental ? type + ":" + name + " map requires O_RDONLY access mode"
                    : "no 'map create' support for this type: " + type);
        }
        verbose("open " + type + " " + name);
        try {
            if (incremental) {
                IndexedTables.update(type, name, context, stdinText());
            } else {
                IndexedTables.create(type, name, context, !noPermissions);
            }
        } catch (TableOpenException e) {
            throw new Fatal(e.getMessage());
        }
    }

    /** "postmap -d key" and "postmap -d -": exit 0 when some key was deleted. */
    private int delete(List<String> specs, TableContext context) {
        List<String> keys = deleteKey.equals("-") ? stdinLines() : List.of(deleteKey);
        int deleted = 0;
        for (String spec : specs) {
            String type = type(spec);
            String name = spec.substring(type.length() + 1);
            if (!IndexedTables.known(type)) throw new Fatal("unsupported dictionary type: " + type);
            if (!IndexedTables.indexed(type)) throw new Fatal(spec + " map requires O_RDONLY access mode");
            try {
                deleted += IndexedTables.delete(type, name, context, keys);
            } catch (TableOpenException e) {
                throw new Fatal(e.getMessage());
            }
        }
        return deleted > 0 ? 0 : 1;
    }

    /** "postmap -q key": the value from the first table that has one; exit 1 when none does. */
    private int query(List<String> specs, TableContext context) {
        LookupTables tables = tables(context);
        for (String spec : specs) {
            Optional<String> value = find(open(tables, spec), queryKey);
            if (value.isPresent()) {
                out.println(json ? json(queryKey, value.get()) : value.get());
                return 0;
            }
        }
        return 1;
    }

    /** "postmap -q -": keys from stdin, "key TAB value" for each found; exit 1 when none was. */
    private int queries(List<String> specs, TableContext context) {
        LookupTables tables = tables(context);
        Map<String, LookupTable> opened = new LinkedHashMap<>();
        boolean found = false;
        for (String key : stdinLines()) {
            for (String spec : specs) {
                // opened on first use, as Postfix does, so an unused table need not exist
                Optional<String> value = find(opened.computeIfAbsent(spec, s -> open(tables, s)), key);
                if (value.isPresent()) {
                    out.println(json ? json(key, value.get()) : key + "\t" + value.get());
                    found = true;
                    break;
                }
            }
        }
        return found ? 0 : 1;
    }

    /** "postmap -s": every entry of the first table, "key TAB value". */
    private int sequence(String spec, TableContext context) {
        LookupTable table = open(tables(context), spec);
        if (!(table instanceof ListableTable listable)) {
            throw new Fatal("table " + spec + ": sequence operation is not supported");
        }
        for (Map.Entry<String, String> e : listable.entries().entrySet()) {
            if (e.getValue().isEmpty()) emptyValueWarnings(spec, e.getKey());
            out.println(json ? json(e.getKey(), e.getValue()) : e.getKey() + "\t" + e.getValue());
        }
        return 0;
    }

    private Optional<String> find(LookupTable table, String key) {
        try {
            Optional<String> value = table.find(key);
            if (value.isPresent() && value.get().isEmpty()) emptyValueWarnings(table.spec(), key);
            return value;
        } catch (LookupException e) {
            throw new Fatal("table " + table.spec() + ": query error: " + e.getMessage());
        }
    }

    private void emptyValueWarnings(String spec, String key) {
        err.println(PROGRAM + ": warning: table " + spec + ": key " + key + ": empty string result is not allowed");
        err.println(PROGRAM + ": warning: table " + spec + " should return NO RESULT in case of NOT FOUND");
    }

    private LookupTables tables(TableContext context) {
        return new LookupTables(context, LoggerFactory.getLogger(PROGRAM));
    }

    private LookupTable open(LookupTables tables, String spec) {
        verbose("open " + type(spec) + " " + spec.substring(type(spec).length() + 1));
        try {
            return tables.openChecked(spec);
        } catch (TableOpenException e) {
            throw new Fatal(e.getMessage());
        }
    }

    private static String type(String spec) {
        return spec.substring(0, spec.indexOf(':'));
    }

    private String stdinText() {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private List<String> stdinLines() {
        try {
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            List<String> lines = new ArrayList<>();
            for (String line; (line = r.readLine()) != null; ) lines.add(line);
            return lines;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One JSON object per line, as "postmap -j" writes it. */
    private static String json(String key, String value) {
        return "{\"" + jsonText(key) + "\": \"" + jsonText(value) + "\"}";
    }

    private static String jsonText(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
                    else b.append(c);
                }
            }
        }
        return b.toString();
    }
}
