#!/usr/bin/env python3
"""An independent oracle for ESP-IDF certificate bundles, used by tests/cli/bundle_reference.sh.

A small re-implementation of what ESP-IDF's components/mbedtls/esp_crt_bundle/gen_crt_bundle.py
documents and does, written from the format description (not copied), with the same library it
uses (python3-cryptography):

- inputs are PEM or DER files, read in the order given; PEM blocks are taken line by line from a
  "-----BEGIN CERTIFICATE-----" line to an "-----END CERTIFICATE-----" line;
- with --filter CSV, an input named cacrt_all.pem keeps only the certificates whose heading (the
  line above the "====" line) is in the CSV's second column (the first row is a header);
- certificates are sorted by their subject's DER (Python's stable sort on bytes);
- V1: big-endian u16 count, then per certificate big-endian u16 subject and key lengths, the
  subject DER and the SubjectPublicKeyInfo DER; V2: little-endian u32 offsets from the start of
  the file, then the records with little-endian lengths. No certificates: an empty file.

Exit status 0 on success; on failure, a message on stderr and 1.
"""
import argparse
import csv
import re
import struct
import sys
import warnings

from cryptography import x509
from cryptography.hazmat.primitives import serialization

# Mozilla's store holds roots with serial 0, which cryptography warns about but still reads.
warnings.filterwarnings("ignore", message=".*serial number.*")

BEGIN = "-----BEGIN CERTIFICATE-----"
END = "-----END CERTIFICATE-----"


def pem_blocks(text):
    blocks, current = [], None
    for line in text.splitlines():
        line = line.rstrip("\r")
        if line == BEGIN and current is None:
            current = [line]
        elif current is not None:
            current.append(line)
            if line == END:
                blocks.append("\n".join(current) + "\n")
                current = None
    return blocks


def filtered_blocks(text, names):
    # A heading line, a line of '=', then the PEM block up to its END line.
    pattern = re.compile(r"^(.+?)\n=+\n(" + re.escape(BEGIN) + r"[\s\S]+?" + re.escape(END) + r")",
                         re.MULTILINE)
    return [block + "\n" for name, block in pattern.findall(text) if name in names]


def load(path, names):
    with open(path, "rb") as f:
        data = f.read()
    if data[:1] == b"\x30":
        return [x509.load_der_x509_certificate(data)]
    text = data.decode("utf-8")
    if names is not None and path.endswith("cacrt_all.pem"):
        blocks = filtered_blocks(text.replace("\r\n", "\n"), names)
    else:
        blocks = pem_blocks(text)
    return [x509.load_pem_x509_certificate(b.encode("ascii")) for b in blocks]


def bundle(certs, fmt):
    certs = sorted(certs, key=lambda c: c.subject.public_bytes())
    records = []
    for cert in certs:
        subject = cert.subject.public_bytes()
        key = cert.public_key().public_bytes(serialization.Encoding.DER,
                                             serialization.PublicFormat.SubjectPublicKeyInfo)
        order = ">" if fmt == "v1" else "<"
        records.append(struct.pack(order + "HH", len(subject), len(key)) + subject + key)
    if not records:
        return b""
    if fmt == "v1":
        return struct.pack(">H", len(records)) + b"".join(records)
    offsets, at = [], 4 * len(records)
    for r in records:
        offsets.append(at)
        at += len(r)
    return struct.pack("<%dI" % len(records), *offsets) + b"".join(records)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--format", choices=["v1", "v2"], default="v2")
    parser.add_argument("--filter", help="cmn_crt_authorities.csv")
    parser.add_argument("-o", "--output", required=True)
    parser.add_argument("inputs", nargs="+")
    args = parser.parse_args()
    names = None
    if args.filter:
        with open(args.filter, newline="", encoding="utf-8") as f:
            rows = list(csv.reader(f))
        names = {row[1] for row in rows[1:] if len(row) > 1}
    certs = []
    for path in args.inputs:
        certs.extend(load(path, names))
    with open(args.output, "wb") as f:
        f.write(bundle(certs, args.format))
    print("%s: %d certificates" % (args.output, len(certs)))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Exception as e:  # a test helper: any failure is a failed test
        print("idf_bundle_reference.py: %s" % e, file=sys.stderr)
        sys.exit(1)
