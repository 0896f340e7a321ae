package org.smarthost.protocol.tls;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Self-signed server keys and certificates for tests, written as PEM files with Bouncy Castle. */
public final class TestCertificates {

    /** The files of one generated key. */
    public record Pem(Path cert, Path key, Path combined) {
    }

    private TestCertificates() {
    }

    /** An RSA-2048 key and certificate for {@code cn}: cert.pem, key.pem (PKCS#8) and both in one file. */
    public static Pem rsa(Path dir, String cn) throws Exception {
        return write(dir, "rsa", cn, generate("RSA"), "SHA256withRSA", false);
    }

    /** As {@link #rsa}, with the key in PKCS#1 form ("BEGIN RSA PRIVATE KEY"), as older OpenSSL wrote. */
    public static Pem rsaPkcs1(Path dir, String cn) throws Exception {
        return write(dir, "rsa1", cn, generate("RSA"), "SHA256withRSA", true);
    }

    /** A P-256 ECDSA key and certificate. */
    public static Pem ec(Path dir, String cn) throws Exception {
        return write(dir, "ec", cn, generate("EC"), "SHA256withECDSA", false);
    }

    /** A client context that trusts any server, as an opportunistic-TLS SMTP client does. */
    public static SSLContext trustAll() throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, new TrustManager[] {new X509TrustManager() {
            @Override public void checkClientTrusted(X509Certificate[] chain, String authType) { }
            @Override public void checkServerTrusted(X509Certificate[] chain, String authType) { }
            @Override public X509Certificate[] getAcceptedIssuers() { return new X509Certificate[0]; }
        }}, null);
        return ctx;
    }

    private static KeyPair generate(String algorithm) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance(algorithm);
        if (algorithm.equals("EC")) g.initialize(new ECGenParameterSpec("secp256r1"));
        else g.initialize(2048);
        return g.generateKeyPair();
    }

    private static Pem write(Path dir, String prefix, String cn, KeyPair keys, String sigAlg, boolean pkcs1)
            throws Exception {
        X500Name name = new X500Name("CN=" + cn);
        Instant now = Instant.now();
        X509Certificate cert = new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(
                name, BigInteger.valueOf(now.toEpochMilli()), Date.from(now.minus(Duration.ofDays(1))),
                Date.from(now.plus(Duration.ofDays(30))), name, keys.getPublic())
                .build(new JcaContentSignerBuilder(sigAlg).build(keys.getPrivate())));
        String certPem = pem(cert);
        String keyPem = pkcs1 ? pem(keys) : pem(new JcaPKCS8Generator(keys.getPrivate(), null));
        Path c = Files.writeString(dir.resolve(prefix + "-cert.pem"), certPem);
        Path k = Files.writeString(dir.resolve(prefix + "-key.pem"), keyPem);
        Path both = Files.writeString(dir.resolve(prefix + "-chain.pem"), keyPem + certPem);
        return new Pem(c, k, both);
    }

    private static String pem(Object o) throws IOException {
        StringWriter w = new StringWriter();
        try (JcaPEMWriter pw = new JcaPEMWriter(w)) {
            pw.writeObject(o);
        }
        return w.toString();
    }
}
