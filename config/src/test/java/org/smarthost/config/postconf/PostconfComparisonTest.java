package org.smarthost.config.postconf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs the real Postfix postconf and ours on the same configuration directories and compares
 * stdout and stderr byte for byte. Host-dependent values (process_id, myhostname, mydomain,
 * mynetworks) are left out of the comparison.
 */
class PostconfComparisonTest {
    static final Path REAL = Path.of("/usr/sbin/postconf");
    static final List<String> SAMPLES = List.of("debian", "relay", "messy", "readonly");
    static final List<String> HOST_DEPENDENT = List.of("process_id", "myhostname", "mydomain", "mynetworks");

    @TempDir
    static Path tmp;

    @BeforeAll
    static void copySamples() throws IOException {
        for (String s : SAMPLES) {
            copySample(s, tmp.resolve(s));
        }
    }

    static void copySample(String sample, Path target) throws IOException {
        Files.createDirectories(target);
        for (String f : List.of("main.cf", "master.cf")) {
            try (var in = PostconfComparisonTest.class.getResourceAsStream("/samples/" + sample + "/" + f)) {
                Files.copy(in, target.resolve(f));
            }
        }
        settle(target);
    }

    /**
     * Postfix re-reads a configuration file that changed within the last second (it may be mid-write),
     * repeating its warnings; files written by a test are therefore dated back first.
     */
    static void settle(Path dir) throws IOException {
        java.nio.file.attribute.FileTime past = java.nio.file.attribute.FileTime.fromMillis(
                System.currentTimeMillis() - 3_600_000L);
        for (String f : List.of("main.cf", "master.cf")) {
            if (Files.exists(dir.resolve(f))) {
                Files.setLastModifiedTime(dir.resolve(f), past);
            }
        }
    }

    record Output(String out, String err, int status) {
    }

    static Output real(Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add("postconf"); // Postfix names itself after argv[0] in its messages

        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().remove("MAIL_CONFIG");
        pb.environment().put("PATH", REAL.getParent() + ":/usr/bin:/bin");
        pb.environment().putAll(env);
        Path out = Files.createTempFile(tmp, "out", ".txt");
        Path err = Files.createTempFile(tmp, "err", ".txt");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        int status = pb.start().waitFor();
        return new Output(Files.readString(out), Files.readString(err), status);
    }

    static Output ours(Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Postconf.run(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), env, args);
        return new Output(out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8), status);
    }

    static String withoutHostLines(String text) {
        return text.lines()
                .filter(l -> HOST_DEPENDENT.stream().noneMatch(h -> l.startsWith(h + " =")))
                .map(l -> l + "\n")
                .collect(Collectors.joining());
    }

    static void assertSame(Output expected, Output actual, String what) {
        assertEquals(expected.out(), actual.out(), "stdout of " + what);
        assertEquals(expected.err(), actual.err(), "stderr of " + what);
        assertEquals(expected.status() == 0, actual.status() == 0, "exit status of " + what);
    }

    static Stream<Arguments> showCases() {
        List<List<String>> flags = List.of(
                List.of("-n"), List.of("-nf"), List.of("-nx"), List.of("-nh"), List.of("-nH"),
                List.of("-M"), List.of("-Mf"), List.of("-Mx"), List.of("-Mfx"),
                List.of("-F"), List.of("-Ff"), List.of("-Fh"), List.of("-Fx"), List.of("-FH"),
                List.of("-P"), List.of("-Px"), List.of("-Pf"), List.of("-Ph"),
                List.of("-M", "smtp", "relay/unix", "/inet", "nosuch/unix"),
                List.of("-F", "*/*/command", "smtp/inet/process_limit"),
                List.of("-P", "*/*/syslog_name"),
                List.of("mail_name", "smtpd_banner", "no_such_parameter", "myorigin", "relay_domains"),
                List.of("-x", "smtpd_banner", "relay_domains", "mydestination", "bounce_queue_lifetime",
                        "smtpd_relay_restrictions", "smtp_tls_security_level", "mynetworks_style"),
                List.of("-h", "mydestination", "queue_directory"),
                List.of("-d", "mail_name", "smtpd_banner", "relay_domains", "relay_recipient_limit", "bogus"),
                List.of("-dx", "relay_domains", "mynetworks_style", "smtpd_timeout", "smtpd_relay_restrictions"),
                List.of("-n", "relayhost", "mail_name"));
        List<Arguments> out = new ArrayList<>();
        for (String sample : SAMPLES) {
            for (List<String> f : flags) {
                out.add(Arguments.of(sample, f));
            }
        }
        return out.stream();
    }

    @BeforeAll
    static void requirePostfix() {
        assumeTrue(Files.isExecutable(REAL), "Postfix postconf is not installed");
    }

    @ParameterizedTest(name = "{0}: postconf {1}")
    @MethodSource("showCases")
    void showOutputMatches(String sample, List<String> flags) throws Exception {
        List<String> args = new ArrayList<>(List.of("-c", tmp.resolve(sample).toString()));
        args.addAll(flags);
        String[] a = args.toArray(String[]::new);
        assertSame(real(Map.of(), a), ours(Map.of(), a), String.join(" ", args));
    }

    @ParameterizedTest(name = "{0}: full listing")
    @MethodSource("sampleNames")
    void fullListingMatchesExceptHostValues(String sample) throws Exception {
        for (String flag : List.of("-p", "-d", "-df", "-H", "-dH")) {
            String[] a = {"-c", tmp.resolve(sample).toString(), flag};
            Output r = real(Map.of(), a);
            Output o = ours(Map.of(), a);
            assertEquals(withoutHostLines(r.out()), withoutHostLines(o.out()), "stdout of postconf " + flag);
            assertEquals(r.err(), o.err(), "stderr of postconf " + flag);
        }
    }

    static Stream<String> sampleNames() {
        return SAMPLES.stream();
    }

    @Test
    void mailConfigEnvironmentChoosesDirectory() throws Exception {
        Map<String, String> env = Map.of("MAIL_CONFIG", tmp.resolve("relay").toString());
        assertSame(real(env, "-n"), ours(env, "-n"), "MAIL_CONFIG=... postconf -n");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badMainCf")
    void mainCfErrorsMatch(String name, String mainCf) throws Exception {
        Path dir = tmp.resolve("bad-main-" + name);
        copySample("readonly", dir);
        Files.writeString(dir.resolve("main.cf"), mainCf);
        settle(dir);
        for (String flags : List.of("-n", "-nx")) {
            String[] a = {"-c", dir.toString(), flags};
            assertSame(real(Map.of(), a), ours(Map.of(), a), "postconf " + flags + " with " + name);
        }
    }

    static Stream<Arguments> badMainCf() {
        return Stream.of(
                Arguments.of("no-equals", "# x\nmyhostname = a\nfoo\n"),
                Arguments.of("no-name", "= 1\n"),
                Arguments.of("space-in-name", "foo bar = x\n"),
                Arguments.of("leading-whitespace", " foo = 1\nmyhostname = a.b\n"),
                Arguments.of("duplicate", "mydomain = a\nmydomain = b\n"),
                Arguments.of("continuations", "mydestination = a,\n  # note\n\n  b\n\tc\nmyhostname=h.example\n"),
                Arguments.of("undefined-class", "smtpd_restriction_classes = nosuchclass\n"),
                Arguments.of("crlf", "myhostname = crlf.example\r\n"),
                Arguments.of("bare-dollar", "smtpd_banner = x $ y\n"),
                Arguments.of("truncated-reference", "smtpd_banner = ${myhostname\n"),
                Arguments.of("expansion-forms", "u1 = a$$b\nsmtpd_banner = $u1 ${u2:fallback} $(u3) "
                        + "${myhostname?{ set }:{unset}} ${u4?x}\nu2 =\nu3 = paren\n"
                        + "mail_name = ${u5?{yes}}  ${{$u6} == {q} ? {eq} : {ne}}\nu5 = 1\nu6 = q\n"
                        + "smtpd_reject_footer = $myhostname\nmyhostname = h.example\n"),
                Arguments.of("reference-loop", "a1 = $a2\na2 = $a1\nmail_name = $a1\n"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badMasterCf")
    void masterCfErrorsMatch(String name, String masterCf) throws Exception {
        Path dir = tmp.resolve("bad-master-" + name);
        copySample("readonly", dir);
        Files.writeString(dir.resolve("master.cf"), masterCf);
        settle(dir);
        String[] a = {"-c", dir.toString(), "-M"};
        assertSame(real(Map.of(), a), ours(Map.of(), a), "postconf -M with " + name);
    }

    static Stream<Arguments> badMasterCf() {
        return Stream.of(
                Arguments.of("field-count", "smtp inet n - y - -\n"),
                Arguments.of("type", "smtp bogus n - y - - smtpd\n"),
                Arguments.of("private", "smtp inet x - y - - smtpd\n"),
                Arguments.of("unpriv", "smtp inet n x y - - smtpd\n"),
                Arguments.of("chroot", "smtp inet n - x - - smtpd\n"),
                Arguments.of("wakeup", "smtp inet n - y abc - smtpd\n"),
                Arguments.of("maxproc", "smtp inet n - y - abc smtpd\n"),
                Arguments.of("orphan-continuation", "  -o x=y\nsmtp inet n - y - - smtpd\n"),
                Arguments.of("missing-brace", "smtp inet n - y - - smtpd -o { smtpd_banner = a b\n"),
                Arguments.of("braces", "smtp inet n - y - - smtpd -o { smtpd_banner = a b } {x y} z\n"),
                Arguments.of("inet-host-port", "127.0.0.1:10025 inet n - n - 4 smtpd -o myhostname=q.example\n"
                        + "[::1]:10026 inet n - n - 4 smtpd -o { smtpd_banner = $myhostname ready }\n"));
    }

    @Test
    void warningsFollowPostfixReadOrder() throws Exception {
        Path dir = tmp.resolve("read-order");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("main.cf"), "mydomain = a\nmydomain = b\n");
        Files.writeString(dir.resolve("master.cf"), "  -o x=y\nsmtp inet n - n - - smtpd\n");
        settle(dir);
        List<List<String>> cases = List.of(List.of("-n"), List.of("-M"), List.of("-P"),
                List.of("-o", "mail_name=Other", "mail_name"));
        for (List<String> flags : cases) {
            List<String> args = new ArrayList<>(List.of("-c", dir.toString()));
            args.addAll(flags);
            String[] a = args.toArray(String[]::new);
            assertSame(real(Map.of(), a), ours(Map.of(), a), String.join(" ", a));
        }
    }

    @Test
    void missingMasterCfIsFatalOnlyForMasterViews() throws Exception {
        Path dir = tmp.resolve("no-master");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("main.cf"), "myhostname = nm.example\n");
        settle(dir);
        for (String flags : List.of("-n", "-M")) {
            String[] a = {"-c", dir.toString(), flags};
            assertSame(real(Map.of(), a), ours(Map.of(), a), "postconf " + flags + " without master.cf");
        }
    }

    @Test
    void missingMainCfIsFatalLikePostfix() throws Exception {
        String[] a = {"-c", tmp.resolve("does-not-exist").toString(), "-n"};
        assertSame(real(Map.of(), a), ours(Map.of(), a), "postconf -n on a missing directory");
    }

    @ParameterizedTest(name = "postconf -{0}")
    @MethodSource("conflictingFlags")
    void optionConflictsMatch(String flags) throws Exception {
        String[] a = {"-c", tmp.resolve("relay").toString(), "-" + flags};
        assertSame(real(Map.of(), a), ours(Map.of(), a), "postconf -" + flags);
    }

    static Stream<String> conflictingFlags() {
        // Postfix sleeps a second after each fatal error, so keep this list short.
        return Stream.of("dn", "eX", "X#", "hH", "MF", "mx", "Mh", "FX", "Pd", "Xf", "#H");
    }

    @ParameterizedTest(name = "postconf {0}")
    @MethodSource("edits")
    void editsMatch(List<String> edit) throws Exception {
        Path dir = tmp.resolve("edit-" + Math.abs(edit.hashCode()));
        copySample("relay", dir);
        Files.writeString(dir.resolve("main.cf"), Files.readString(dir.resolve("main.cf"))
                + "smtpd_banner = second definition\n  continued here\n#trailing comment\nfoo = bar");
        settle(dir);
        String original = Files.readString(dir.resolve("main.cf"));
        List<String> args = new ArrayList<>(List.of("-c", dir.toString()));
        args.addAll(edit);
        String[] a = args.toArray(String[]::new);
        Output r = real(Map.of(), a);
        String realText = Files.readString(dir.resolve("main.cf"));
        Files.writeString(dir.resolve("main.cf"), original);
        Output o = ours(Map.of(), a);
        String ourText = Files.readString(dir.resolve("main.cf"));
        settle(dir);
        assertSame(r, o, String.join(" ", args));
        assertEquals(realText, ourText, "main.cf after " + String.join(" ", args));
        assertSame(real(Map.of(), "-c", dir.toString(), "-n"), ours(Map.of(), "-c", dir.toString(), "-n"),
                "postconf -n after the edit");
    }

    @ParameterizedTest(name = "postconf {0}")
    @MethodSource("masterEdits")
    void masterEditsMatch(List<String> edit) throws Exception {
        Path dir = tmp.resolve("master-edit-" + Math.abs(edit.hashCode()));
        copySample("relay", dir);
        String original = Files.readString(dir.resolve("master.cf"));
        List<String> args = new ArrayList<>(List.of("-c", dir.toString()));
        args.addAll(edit);
        String[] a = args.toArray(String[]::new);
        Output r = real(Map.of(), a);
        String realText = Files.readString(dir.resolve("master.cf"));
        Files.writeString(dir.resolve("master.cf"), original);
        Output o = ours(Map.of(), a);
        String ourText = Files.readString(dir.resolve("master.cf"));
        settle(dir);
        assertSame(r, o, String.join(" ", args));
        assertEquals(realText, ourText, "master.cf after " + String.join(" ", args));
        assertSame(real(Map.of(), "-c", dir.toString(), "-Mf"), ours(Map.of(), "-c", dir.toString(), "-Mf"),
                "postconf -Mf after the edit");
    }

    static Stream<List<String>> masterEdits() {
        return Stream.of(
                List.of("-Me", "submission/inet = submission inet n - n - - smtpd -o smtpd_sasl_auth_enable=yes"),
                List.of("-Me", "10025/inet = 127.0.0.1:10025 inet n - n - - smtpd -o content_filter="),
                List.of("-MX", "relay/unix", "nosuch/unix"),
                List.of("-M#", "127.0.0.1:2525/inet", "submission/inet"),
                List.of("-Fe", "relay/unix/process_limit=20", "pickup/unix/wakeup=30"),
                List.of("-Fe", "relay/unix/command=lmtp -o lmtp_bind_address=127.0.0.1"),
                List.of("-Fe", "relay/unix/chroot=y n"),
                List.of("-Pe", "relay/unix/syslog_name=postfix/relay2", "smtp/inet/smtpd_tls_security_level=may",
                        "nosuch/unix/foo=1"),
                List.of("-PX", "relay/unix/smtp_helo_timeout", "submission/inet/syslog_name"),
                List.of("-P", "relay/unix/smtp_connect_timeout=9"),
                List.of("-Pe", "relay/unix/smtp_helo_name=two words"));
    }

    static Stream<List<String>> edits() {
        return Stream.of(
                List.of("-e", "myhostname = edited.example.com"),
                // one new name per edit: Postfix 3.7 appends new names in (randomized) hash order
                List.of("-e", "relayhost=[127.0.0.1]:2525", "new_param = 1", "mydestination ="),
                List.of("-e", "smtpd_banner=one line now"),
                List.of("-e", "mynetworks = 127.0.0.0/8", "mynetworks = 10.0.0.0/8"),
                List.of("-e", "foo"),
                List.of("-e", "# comment = x"),
                List.of("-X", "mynetworks", "smtpd_banner", "nosuch"),
                List.of("-X", "foo=bar"),
                List.of("-#", "mydestination", "smtpd_relay_restrictions", "smtpd_banner"),
                List.of("relayhost=[10.0.0.1]", "myorigin=$myhostname"),
                List.of("-#"));
    }
}
