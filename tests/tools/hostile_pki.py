#!/usr/bin/env python3
"""A test PKI whose names are hostile: common names and SANs that hold line breaks, ESC sequences
and text that looks like compiler or GitHub annotations. Used by tests/cli/escape_data.sh to prove
that nothing from a certificate reaches certbundle's outputs raw.

    hostile_pki.py DIR

writes into DIR (python3-cryptography, EC P-256, SHA-256):
  ca1.pem ca1.key   a root whose CN is "Evil\\nRoot\\x1b[31m One"             (ten years)
  leaf1.pem .key    signed by ca1, CN "x\\nmain.c:1:1: error: injected\\x1b[2J 100%0A::error::pct"
                    (a '%0A' that GitHub would read as a line break unless '%' is escaped), SANs
                    IP 127.0.0.1 and DNS "evil\\n::error::sneaky", expiring in 10 days
  ca2.pem ca2.key   a second root, CN "Evil\\r\\nRoot Two\\x07\\u009b31m" (U+009B: CSI, a C1 control)
  leaf2.pem .key    the same names as leaf1, signed by ca2 (ten years)
  other.pem         a plain certificate ("Smuggled CA"), to smuggle into a lock label
"""
import datetime
import ipaddress
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

CA1_CN = "Evil\nRoot\x1b[31m One"
CA2_CN = "Evil\r\nRoot Two\x07\u009b31m"
LEAF_CN = "x\nmain.c:1:1: error: injected\x1b[2J 100%0A::error::pct"
LEAF_DNS = "evil\n::error::sneaky"


def name(cn):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def write(directory, stem, cert, key):
    with open(f"{directory}/{stem}.pem", "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))
    if key is not None:
        with open(f"{directory}/{stem}.key", "wb") as f:
            f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption()))


def certificate(subject_cn, key, issuer_cn, issuer_key, days, ca, sans=None):
    now = datetime.datetime.now(datetime.timezone.utc)
    builder = (x509.CertificateBuilder()
               .subject_name(name(subject_cn))
               .issuer_name(name(issuer_cn))
               .public_key(key.public_key())
               .serial_number(x509.random_serial_number())
               .not_valid_before(now - datetime.timedelta(days=1))
               .not_valid_after(now + datetime.timedelta(days=days))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if ca:
        builder = builder.add_extension(
            x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                          data_encipherment=False, key_agreement=False, key_cert_sign=True,
                          crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
        builder = builder.add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                                        critical=False)
    if sans:
        builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def main(directory):
    ca1_key, ca2_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    leaf1_key, leaf2_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    other_key = ec.generate_private_key(ec.SECP256R1())
    sans = [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName(LEAF_DNS)]
    write(directory, "ca1", certificate(CA1_CN, ca1_key, CA1_CN, ca1_key, 3650, True), ca1_key)
    write(directory, "ca2", certificate(CA2_CN, ca2_key, CA2_CN, ca2_key, 3650, True), ca2_key)
    write(directory, "leaf1", certificate(LEAF_CN, leaf1_key, CA1_CN, ca1_key, 10, False, sans), leaf1_key)
    write(directory, "leaf2", certificate(LEAF_CN, leaf2_key, CA2_CN, ca2_key, 3650, False, sans), leaf2_key)
    write(directory, "other", certificate("Smuggled CA", other_key, "Smuggled CA", other_key, 3650, True), None)


if __name__ == "__main__":
    main(sys.argv[1])
