package org.smarthost.protocol.tls;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * The server's keys and certificate chains, read from PEM files the way Postfix reads them:
 * either smtpd_tls_chain_files (each file holds a private key followed by its certificate
 * chain, several keys allowed, e.g. RSA and ECDSA) or the legacy cert_file/key_file pairs.
 * Bouncy Castle parses the PEM, so PKCS#1 ("RSA PRIVATE KEY"), SEC1 ("EC PRIVATE KEY") and
 * PKCS#8 keys all load. Problems throw {@link TlsSetupException} with Postfix's warning text.
 */
public final class ServerCredentials {

    /** One private key with its chain, server certificate first. */
    public record KeyAndChain(PrivateKey key, List<X509Certificate> chain) {
        public KeyAndChain {
            chain = List.copyOf(chain);
        }
    }

    private final List<KeyAndChain> entries;

    private ServerCredentials(List<KeyAndChain> entries) {
        this.entries = List.copyOf(entries);
    }

    public List<KeyAndChain> entries() {
        return entries;
    }

    /** smtpd_tls_chain_files: each file a key followed by its chain. */
    public static ServerCredentials fromChainFiles(List<Path> files) throws TlsSetupException {
        List<KeyAndChain> all = new ArrayList<>();
        for (Path file : files) {
            List<Object> objects = read(file, "error opening chain file: " + file);
            if (objects.isEmpty()) throw new TlsSetupException("No PEM data in " + file);
            if (!(objects.get(0) instanceof PrivateKey)) {
                throw new TlsSetupException("error loading chain from " + file + ": key not first");
            }
            PrivateKey key = null;
            List<X509Certificate> chain = new ArrayList<>();
            for (Object o : objects) {
                if (o instanceof PrivateKey k) {
                    if (key != null) all.add(entry(key, chain, file));
                    key = k;
                    chain = new ArrayList<>();
                } else {
                    chain.add((X509Certificate) o);
                }
            }
            all.add(entry(key, chain, file));
        }
        return new ServerCredentials(all);
    }

    /**
     * Legacy smtpd_tls_cert_file/smtpd_tls_key_file (and the eccert pair): the chain from the
     * certificate file, the key from the key file, which may be the same file.
     */
    public static ServerCredentials fromCertAndKey(List<CertKeyFiles> pairs) throws TlsSetupException {
        List<KeyAndChain> all = new ArrayList<>();
        String disabling = ": disabling TLS support";
        for (CertKeyFiles p : pairs) {
            String noCert = "cannot get " + p.type() + " certificate from file \"" + p.certFile() + "\"" + disabling;
            String noKey = "cannot get " + p.type() + " private key from file \"" + p.keyFile() + "\"" + disabling;
            List<X509Certificate> chain = new ArrayList<>();
            for (Object o : read(p.certFile(), noCert)) {
                if (o instanceof X509Certificate c) chain.add(c);
            }
            if (chain.isEmpty()) throw new TlsSetupException(noCert);
            PrivateKey key = null;
            for (Object o : read(p.keyFile(), noKey)) {
                if (o instanceof PrivateKey k && key == null) key = k;
            }
            if (key == null) throw new TlsSetupException(noKey);
            if (!matches(key, chain.get(0))) {
                throw new TlsSetupException(p.type() + " private key in " + p.keyFile() + " does not match public key in "
                        + p.certFile() + disabling);
            }
            all.add(new KeyAndChain(key, chain));
        }
        return new ServerCredentials(all);
    }

    /**
     * A certificate file and its key file (often the same), as one legacy pair of parameters.
     *
     * @param type "RSA" or "ECDSA", for the warnings
     */
    public record CertKeyFiles(String type, Path certFile, Path keyFile) {
    }

    /** A JSSE key manager offering every key; JSSE picks the one the client's algorithms allow. */
    public KeyManagerFactory keyManagerFactory() throws TlsSetupException {
        try {
            char[] password = new char[0];
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            int n = 0;
            for (KeyAndChain e : entries) {
                store.setKeyEntry("key" + n++, e.key(), password, e.chain().toArray(new X509Certificate[0]));
            }
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(store, password);
            return kmf;
        } catch (GeneralSecurityException | IOException e) {
            throw new TlsSetupException("TLS library problem: " + e.getMessage());
        }
    }

    /** One key of a chain file with the certificates that follow it. */
    private static KeyAndChain entry(PrivateKey key, List<X509Certificate> chain, Path file) throws TlsSetupException {
        if (chain.isEmpty()) throw new TlsSetupException("No certs for key in " + file);
        if (!matches(key, chain.get(0))) {
            throw new TlsSetupException("key in " + file + " does not match next certificate");
        }
        return new KeyAndChain(key, chain);
    }

    /** Keys and certificates in file order; anything else in the file is skipped. */
    private static List<Object> read(Path file, String failure) throws TlsSetupException {
        List<Object> out = new ArrayList<>();
        JcaPEMKeyConverter keys = new JcaPEMKeyConverter();
        JcaX509CertificateConverter certs = new JcaX509CertificateConverter();
        try (Reader r = Files.newBufferedReader(file); PEMParser parser = new PEMParser(r)) {
            Object o;
            while ((o = parser.readObject()) != null) {
                if (o instanceof PEMKeyPair pair) out.add(keys.getPrivateKey(pair.getPrivateKeyInfo()));
                else if (o instanceof PrivateKeyInfo info) out.add(keys.getPrivateKey(info));
                else if (o instanceof X509CertificateHolder holder) out.add(certs.getCertificate(holder));
            }
        } catch (NoSuchFileException e) {
            throw new TlsSetupException(failure + " (No such file or directory)");
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            throw new TlsSetupException(failure + " (" + e.getMessage() + ")");
        }
        return out;
    }

    /** Signs a random challenge with the key and checks it with the certificate's public key. */
    private static boolean matches(PrivateKey key, X509Certificate cert) {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            case "Ed448" -> "Ed448";
            default -> null;
        };
        if (algorithm == null) return key.getAlgorithm().equals(cert.getPublicKey().getAlgorithm());
        try {
            byte[] challenge = new byte[32];
            new SecureRandom().nextBytes(challenge);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(cert.getPublicKey());
            verifier.update(challenge);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}
