package org.smarthost.app.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** Postfix program names and what runs each of them. */
public final class Commands {

    private static final Map<String, Function<String[], Integer>> PROGRAMS = new LinkedHashMap<>();

    static {
        PROGRAMS.put("postfix", PostfixCommand::main);
        PROGRAMS.put("master", MasterCommand::main);
        PROGRAMS.put("postconf", PostconfLauncher::main);
        for (String name : List.of("postqueue", "postsuper", "postcat", "mailq", "history")) {
            PROGRAMS.put(name, args -> QueueLauncher.main(name, args));
        }
        PROGRAMS.put("postmap", PostmapLauncher::main);
        for (String name : List.of("sendmail", "newaliases")) {
            PROGRAMS.put(name, args -> NotImplemented.run(name));
        }
    }

    private Commands() {
    }

    public static List<String> names() {
        return List.copyOf(PROGRAMS.keySet());
    }

    /** Runs program {@code name}; returns its exit status. */
    public static int run(String name, String[] args) {
        Function<String[], Integer> program = PROGRAMS.get(name);
        if (program == null) {
            System.err.println("smarthost: fatal: unknown program: " + name + " (known: "
                    + String.join(", ", PROGRAMS.keySet()) + ")");
            return 1;
        }
        return program.apply(args);
    }
}
