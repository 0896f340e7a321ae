package org.smarthost.protocol.tls;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ServerCredentialsTest {

    @TempDir
    Path dir;

    @Test
    void certAndKeyFilesLoadPkcs8AndPkcs1Keys() throws Exception {
        var rsa = TestCertificates.rsa(dir, "mx.example.com");
        var old = TestCertificates.rsaPkcs1(dir, "mx.example.com");
        assertTrue(Files.readString(old.key()).contains("BEGIN RSA PRIVATE KEY"));
        var creds = ServerCredentials.fromCertAndKey(List.of(
                new ServerCredentials.CertKeyFiles("RSA", rsa.cert(), rsa.key()),
                new ServerCredentials.CertKeyFiles("RSA", old.cert(), old.key())));
        assertEquals(2, creds.entries().size());
        assertEquals("CN=mx.example.com", creds.entries().get(0).chain().get(0).getSubjectX500Principal().getName());
        assertEquals("RSA", creds.entries().get(1).key().getAlgorithm());
    }

    @Test
    void chainFilesHoldKeyThenCertificates() throws Exception {
        var rsa = TestCertificates.rsa(dir, "mx.example.com");
        var ec = TestCertificates.ec(dir, "mx.example.com");
        var creds = ServerCredentials.fromChainFiles(List.of(rsa.combined(), ec.combined()));
        assertEquals(List.of("RSA", "EC"), creds.entries().stream().map(e -> e.key().getAlgorithm()).toList());
        creds.keyManagerFactory(); // both keys go into one key manager
    }

    @Test
    void aKeyThatDoesNotMatchItsCertificateIsRefused() throws Exception {
        var a = TestCertificates.rsa(dir, "a.example");
        var b = TestCertificates.rsaPkcs1(dir, "b.example");
        var e = assertThrows(TlsSetupException.class, () -> ServerCredentials.fromCertAndKey(List.of(
                new ServerCredentials.CertKeyFiles("RSA", a.cert(), b.key()))));
        assertEquals("RSA private key in " + b.key() + " does not match public key in " + a.cert()
                + ": disabling TLS support", e.getMessage());
    }

    @Test
    void missingFilesAndChainsWithoutALeadingKeyAreReported() throws Exception {
        Path missing = dir.resolve("nope.pem");
        var e = assertThrows(TlsSetupException.class, () -> ServerCredentials.fromCertAndKey(List.of(
                new ServerCredentials.CertKeyFiles("RSA", missing, missing))));
        assertEquals("cannot get RSA certificate from file \"" + missing + "\": disabling TLS support"
                + " (No such file or directory)", e.getMessage());
        var rsa = TestCertificates.rsa(dir, "mx.example.com");
        var e2 = assertThrows(TlsSetupException.class, () -> ServerCredentials.fromChainFiles(List.of(rsa.cert())));
        assertEquals("error loading chain from " + rsa.cert() + ": key not first", e2.getMessage());
        Path empty = Files.writeString(dir.resolve("empty.pem"), "");
        var e3 = assertThrows(TlsSetupException.class, () -> ServerCredentials.fromChainFiles(List.of(empty)));
        assertEquals("No PEM data in " + empty, e3.getMessage());
    }
}
