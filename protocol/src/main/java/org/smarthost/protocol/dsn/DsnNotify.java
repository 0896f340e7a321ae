package org.smarthost.protocol.dsn;

import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * Who gets which notice, from RFC 3461 NOTIFY as Postfix applies it: no NOTIFY means
 * failure and delay notices (delay only when delay_warning_time is set), NOTIFY=NEVER means
 * none, otherwise exactly the keywords given. SUCCESS notices are sent only on request.
 * Mail from the null sender never gets a notice (Postfix would send a double bounce to
 * postmaster instead).
 */
public final class DsnNotify {

    private DsnNotify() { }

    public static boolean wants(DsnKind kind, Set<String> notify) {
        if (notify.contains("NEVER")) return false;
        return switch (kind) {
            case FAILURE -> notify.isEmpty() || notify.contains("FAILURE");
            case DELAY -> notify.isEmpty() || notify.contains("DELAY");
            case SUCCESS -> notify.contains("SUCCESS");
        };
    }

    /** The recipients among {@code candidates} that this kind of notice to {@code sender} reports. */
    public static <R> List<R> select(DsnKind kind, String sender, List<R> candidates,
                                     Function<R, Set<String>> notifyOf) {
        if (sender == null || sender.isEmpty()) return List.of();
        return candidates.stream().filter(r -> wants(kind, notifyOf.apply(r))).toList();
    }
}
