package dev.paystream.io.localstack;

import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throw-away certificate authority and one server certificate it signed, for 127.0.0.1 and
 * localhost, made in memory when a secured stack starts (BouncyCastle: the JDK's {@code keytool}
 * needed seven JVM starts, 25 s on a loaded machine). Kafka reads the PKCS12 keystore; PostgreSQL
 * and Redis read the PEM certificate and key; every client trusts {@link #caCertificate()}, a PEM
 * file, which holds nothing secret. The authority's own key never leaves memory.
 */
final class Certificates {
  private static final Duration VALIDITY = Duration.ofDays(2);
  private static final String SIGNATURE = "SHA256withECDSA";
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Path caCertificate;
  private final Path serverKeystore;
  private final Path serverCertificate;
  private final Path serverKey;
  private final String storePassword;

  private Certificates(Path dir, String storePassword) {
    this.caCertificate = dir.resolve("ca.pem");
    this.serverKeystore = dir.resolve("server.p12");
    this.serverCertificate = dir.resolve("server.pem");
    this.serverKey = dir.resolve("server.key");
    this.storePassword = storePassword;
  }

  /** Creates the authority and the server certificate in {@code dir} (wiped), valid for two days. */
  static Certificates create(Path dir, String storePassword) throws IOException {
    Certificates certificates = new Certificates(Directories.recreate(dir), storePassword);
    try {
      certificates.generate();
    } catch (GeneralSecurityException | OperatorCreationException e) {
      throw new IOException("Could not create the local certificate authority", e);
    }
    return certificates;
  }

  private void generate() throws GeneralSecurityException, OperatorCreationException, IOException {
    // EC keys: generated in a millisecond where RSA takes a second on a loaded machine.
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair caKeys = generator.generateKeyPair();
    KeyPair serverKeys = generator.generateKeyPair();

    X500Name caName = new X500Name("CN=paystream local CA");
    X509Certificate ca =
        sign(
            builder(caName, caName, caKeys.getPublic())
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign)),
            caKeys);
    X509Certificate server =
        sign(
            builder(caName, new X500Name("CN=127.0.0.1"), serverKeys.getPublic())
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                .addExtension(Extension.extendedKeyUsage, false,
                    new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}))
                // The names clients verify (Kafka's https endpoint identification, sslmode=verify-full).
                .addExtension(Extension.subjectAlternativeName, false,
                    new GeneralNames(new GeneralName[] {
                      new GeneralName(GeneralName.iPAddress, "127.0.0.1"), new GeneralName(GeneralName.dNSName, "localhost")
                    })),
            caKeys);

    Files.writeString(caCertificate, pem("CERTIFICATE", ca.getEncoded()), StandardCharsets.US_ASCII);
    Files.writeString(
        serverCertificate,
        pem("CERTIFICATE", server.getEncoded()) + pem("CERTIFICATE", ca.getEncoded()),
        StandardCharsets.US_ASCII);
    // Unencrypted PKCS#8, readable by its owner only (PostgreSQL refuses a key others can read).
    StackSecurity.writeOwnerOnly(serverKey, pem("PRIVATE KEY", serverKeys.getPrivate().getEncoded()));

    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    store.setKeyEntry("server", serverKeys.getPrivate(), storePassword.toCharArray(), new Certificate[] {server, ca});
    try (OutputStream out = Files.newOutputStream(serverKeystore)) {
      store.store(out, storePassword.toCharArray());
    }
  }

  private static X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, PublicKey key) {
    Instant now = Instant.now();
    return new JcaX509v3CertificateBuilder(
        issuer,
        new BigInteger(64, RANDOM),
        // An hour back: clocks of the machine's processes may disagree a little.
        Date.from(now.minus(Duration.ofHours(1))),
        Date.from(now.plus(VALIDITY)),
        subject,
        key);
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair issuer)
      throws OperatorCreationException, GeneralSecurityException {
    return new JcaX509CertificateConverter()
        .getCertificate(builder.build(new JcaContentSignerBuilder(SIGNATURE).build(issuer.getPrivate())));
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }

  /** The authority's certificate (PEM): what every client trusts. */
  Path caCertificate() {
    return caCertificate;
  }

  /** PKCS12 keystore with the server key and its chain. */
  Path serverKeystore() {
    return serverKeystore;
  }

  /** The password of {@link #serverKeystore()} and of the key in it. */
  String storePassword() {
    return storePassword;
  }

  /** The server certificate and the authority's (PEM). */
  Path serverCertificate() {
    return serverCertificate;
  }

  /** The server's private key (PKCS#8 PEM, mode 0600). */
  Path serverKey() {
    return serverKey;
  }
}
