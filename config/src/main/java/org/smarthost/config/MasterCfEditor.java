package org.smarthost.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Edits master.cf the way {@code postconf -Me/-MX/-M#/-Fe/-Pe/-PX} does: untouched entries, comments
 * and layout are copied as they are; edited entries are rewritten in postconf's folded format.
 */
public final class MasterCfEditor {
    /** What is edited: whole entries, one field, or one -o parameter. */
    public enum Target { ENTRY, FIELD, PARAMETER }

    private MasterCfEditor() {
    }

    /** One request, e.g. {@code relay/unix/syslog_name=postfix/relay}; value is null for removal. */
    private static final class Request {
        final String raw;
        final String[] pattern;
        final String value;
        final MasterService replacement;
        int matches;

        Request(String raw, String[] pattern, String value, MasterService replacement) {
            this.raw = raw;
            this.pattern = pattern;
            this.value = value;
            this.replacement = replacement;
        }

        boolean matches(String name, String type) {
            return (pattern[0].equals("*") || pattern[0].equals(name))
                    && (pattern[1].equals("*") || pattern[1].equals(type));
        }
    }

    /** Edits a master.cf file in place; returns Postfix-worded warnings. */
    public static List<String> editFile(Path file, MainCf.EditMode mode, Target target, List<String> args) {
        String text = MainCf.readForEdit(file);
        List<String> warnings = new ArrayList<>();
        String result = edit(file.toString(), text, mode, target, args, warnings);
        MainCf.writeAtomically(file, result);
        return warnings;
    }

    /** The master.cf text after the edit. */
    public static String edit(String path, String text, MainCf.EditMode mode, Target target, List<String> args,
                              List<String> warnings) {
        String opts = "-Me, -Fe, -Pe, -X, or -#";
        List<Request> requests = new ArrayList<>();
        for (String raw : args) {
            if (raw.indexOf('\n') >= 0) {
                throw new ConfigException(opts + " accept no multi-line input");
            }
            String cp = raw.stripLeading();
            if (cp.startsWith("#")) {
                throw new ConfigException(opts + " accept no comment input");
            }
            String patternText;
            String value = null;
            if (mode == MainCf.EditMode.SET) {
                String[] nv = MainCf.splitNameValue(cp);
                if (nv.length == 1) {
                    throw new ConfigException(nv[0] + ": \"" + raw + "\"");
                }
                patternText = nv[0];
                value = nv[1];
            } else {
                if (cp.indexOf('=') >= 0) {
                    throw new ConfigException("-X or -# requires names without value");
                }
                patternText = cp.strip();
            }
            String[] pattern = patternText.split("/", -1);
            boolean emptyPart = false;
            for (String p : pattern) {
                emptyPart |= p.isEmpty();
            }
            MasterService replacement = null;
            switch (target) {
                case ENTRY -> {
                    if (pattern.length != 2 || emptyPart) {
                        throw new ConfigException("-Me, -MX or -M# requires service_name/type");
                    }
                    if (mode == MainCf.EditMode.SET) {
                        replacement = parseNew(value, raw, warnings);
                    }
                }
                case FIELD -> {
                    if (pattern.length != 3 || emptyPart) {
                        throw new ConfigException("-Fe or -FX requires service_name/type/field_name");
                    }
                    if (pattern[2].equals("*")) {
                        throw new ConfigException("-Fe does not accept wild-card field name");
                    }
                    if (!MasterService.FIELD_NAMES.contains(pattern[2])) {
                        throw new ConfigException("invalid service attribute name: \"" + pattern[2] + "\"");
                    }
                    if (!pattern[2].equals("command") && MasterService.hasSpace(value)) {
                        throw new ConfigException("-Fe does not accept whitespace in non-command field");
                    }
                }
                case PARAMETER -> {
                    if (pattern.length != 3 || emptyPart
                            || !pattern[2].equals("*") && !pattern[2].matches("[A-Za-z0-9_]+")) {
                        throw new ConfigException("-Pe or -PX requires service_name/type/parameter");
                    }
                    if (pattern[2].equals("*")) {
                        throw new ConfigException("-Pe does not accept wild-card parameter name");
                    }
                    if (value != null && MasterService.hasSpace(value)) {
                        throw new ConfigException("-Pe does not accept whitespace in parameter value");
                    }
                }
                default -> throw new IllegalStateException();
            }
            requests.add(new Request(raw, pattern, value, replacement));
        }

        List<String> lines = MainCf.splitLines(text);
        boolean endsWithNewline = text.endsWith("\n");
        StringBuilder out = new StringBuilder();
        boolean matched = false;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            String nl = i == lines.size() - 1 && !endsWithNewline ? "" : "\n";
            String content = line.stripLeading();
            if (content.isEmpty() || content.startsWith("#")) {
                out.append(line).append(nl);
                continue;
            }
            if (content.length() != line.length()) {
                if (!matched) {
                    out.append(line).append(nl);
                } else if (mode == MainCf.EditMode.COMMENT_OUT) {
                    out.append('#').append(line).append(nl);
                }
                continue;
            }
            matched = false;
            String[] words = line.strip().split("\\s+");
            if (words.length < 2) {
                throw new ConfigException("file " + path + ": line " + (i + 1)
                        + ": specify service name and type on the same line");
            }
            String name = words[0];
            String type = words[1];
            if (name.indexOf('=') >= 0) {
                throw new ConfigException("file " + path + ": line " + (i + 1) + ": service name syntax \""
                        + name + "\" is unsupported with " + opts);
            }
            if (type.indexOf('=') >= 0 || type.indexOf('/') >= 0) {
                throw new ConfigException("file " + path + ": line " + (i + 1) + ": service type syntax \""
                        + type + "\" is unsupported with " + opts);
            }
            MasterService edited = null;
            int entryLine = i + 1;
            for (Request req : requests) {
                boolean hit = req.matches(name, type)
                        || req.replacement != null && req.replacement.name().equals(name)
                        && req.replacement.type().equals(type);
                if (!hit) {
                    continue;
                }
                matched = true;
                req.matches++;
                if (target == Target.ENTRY) {
                    if (mode == MainCf.EditMode.SET && req.matches == 1) {
                        edited = req.replacement;
                    }
                    continue;
                }
                if (mode == MainCf.EditMode.SET || target == Target.PARAMETER && mode == MainCf.EditMode.REMOVE) {
                    if (edited == null) {
                        // take in the continuation lines; comments among them stay where they are
                        StringBuilder full = new StringBuilder(line);
                        while (i + 1 < lines.size()) {
                            String next = lines.get(i + 1);
                            if (next.isEmpty() || !(next.charAt(0) == '#' || Character.isWhitespace(next.charAt(0)))) {
                                break;
                            }
                            i++;
                            String nc = next.stripLeading();
                            if (nc.isEmpty() || nc.startsWith("#")) {
                                out.append(next).append('\n');
                            } else {
                                full.append(' ').append(nc);
                            }
                        }
                        try {
                            edited = MasterCf.parseEntry(full.toString(), entryLine, warnings);
                        } catch (MasterCf.FieldCountException e) {
                            throw new ConfigException("file " + path + ": line " + entryLine + ": bad field count");
                        }
                    }
                    edited = target == Target.FIELD ? editField(edited, req.pattern[2], req.value, warnings)
                            : editParameter(edited, req.pattern[2], req.value);
                }
            }
            if (edited != null) {
                out.append(MasterCf.format(edited, true)).append('\n');
            } else if (!matched) {
                out.append(line).append(nl);
            } else if (mode == MainCf.EditMode.COMMENT_OUT) {
                out.append('#').append(line).append(nl);
            }
        }
        for (Request req : requests) {
            if (req.matches == 0) {
                if (target == Target.ENTRY && mode == MainCf.EditMode.SET) {
                    out.append(MasterCf.format(req.replacement, true)).append('\n');
                } else if (target != Target.ENTRY) {
                    warnings.add("unmatched service_name/type: \"" + req.raw + "\"");
                }
            }
        }
        return out.toString();
    }

    private static MasterService parseNew(String value, String raw, List<String> warnings) {
        try {
            return MasterCf.parseEntry(value, 0, warnings);
        } catch (MasterCf.FieldCountException e) {
            throw new ConfigException("bad field count: \"" + raw + "\"");
        }
    }

    private static MasterService editField(MasterService s, String field, String value, List<String> warnings) {
        List<String> f = new ArrayList<>(List.of(s.name(), s.type(), s.privateField(), s.unprivilegedField(),
                s.chrootField(), s.wakeupField(), s.processLimitField()));
        String commandLine = s.commandLine();
        int index = MasterService.FIELD_NAMES.indexOf(field);
        if (index == 7) {
            commandLine = value;
        } else {
            f.set(index, value);
        }
        String text = String.join(" ", f) + " " + commandLine;
        return MasterCf.parseEntry(text, s.line(), warnings);
    }

    private static MasterService editParameter(MasterService s, String param, String value) {
        List<String> args = new ArrayList<>(s.args());
        boolean found = false;
        int k = 0;
        for (; k < args.size(); k++) {
            String a = args.get(k);
            if (!a.startsWith("-") || a.equals("--")) {
                break;
            }
            if (a.equals("-o") && k + 1 < args.size()) {
                String v = args.get(k + 1);
                if (v.startsWith(param + "=")) {
                    found = true;
                    if (value != null) {
                        args.set(k + 1, param + "=" + value);
                    } else {
                        args.remove(k);
                        args.remove(k);
                        k -= 2;
                    }
                }
                k++;
            }
        }
        if (value != null && !found) {
            args.add(k, "-o");
            args.add(k + 1, param + "=" + value);
        }
        return new MasterService(s.name(), s.type(), s.privateField(), s.unprivilegedField(), s.chrootField(),
                s.wakeupField(), s.processLimitField(), s.command(), args, s.line());
    }
}
