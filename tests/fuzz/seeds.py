#!/usr/bin/env python3
"""Assembles the seed corpora of the fuzz targets from the repository's own data.

    tests/fuzz/seeds.py OUTDIR [TARGET...]

writes OUTDIR/<target>/ for each target (default all), made fresh each time from the files the
repository already holds (Mozilla's certdata.txt in slices, ESP-IDF's test vectors, the test PKI,
the example manifests) plus the small hand-made seeds in tests/fuzz/seeds/<target>/ (STARTTLS
server replies, values, a full lock). Nothing here is committed twice. Needs `openssl` for the DER
and PKCS#7 forms of the test certificates.
"""
import glob
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile

FUZZ = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(FUZZ))
TARGETS = ["certdata", "pem_der", "bundle", "manifest", "lock", "aia", "starttls", "filter_csv", "values",
           "device"]


def read(path):
    with open(os.path.join(ROOT, path), "rb") as f:
        return f.read()


def files(*patterns):
    out = []
    for p in patterns:
        out += sorted(glob.glob(os.path.join(ROOT, p), recursive=True))
    return [os.path.relpath(f, ROOT) for f in out if os.path.isfile(f)]


def pem_blocks(data):
    return re.findall(rb"-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----\n?", data, re.S)


def der_of(pem_block):
    return subprocess.run(["openssl", "x509", "-outform", "DER"], input=pem_block,
                          capture_output=True, check=True).stdout


def pkcs7_of(pem_path):
    return subprocess.run(["openssl", "crl2pkcs7", "-nocrl", "-certfile", os.path.join(ROOT, pem_path),
                           "-outform", "DER"], capture_output=True, check=True).stdout


def certdata_slices(path, count=6, size=4):
    """certdata.txt is 1.3 MB: its header and a few runs of `size` objects, among them the runs
    that hold a distrust-after date and a trust object without its certificate."""
    text = read(path)
    head, _, body = text.partition(b"BEGINDATA\n")
    paragraphs = body.split(b"\n\n")
    starts = {i * len(paragraphs) // count for i in range(count)}
    for marker in (b"DISTRUST_AFTER MULTILINE_OCTAL", b"Explicitly Distrust", b"CKT_NSS_NOT_TRUSTED"):
        hits = [i for i, p in enumerate(paragraphs) if marker in p]
        if hits:
            starts.add(max(0, hits[0] - 2))
    for s in sorted(starts):
        yield head + b"BEGINDATA\n" + b"\n\n".join(paragraphs[s:s + size]) + b"\n"


def pem_slices(path, count=3, size=3):
    """A big PEM file in runs of `size` blocks, each with the curl-style heading above it."""
    text = read(path)
    entries = re.split(rb"\n(?=\n)", text)
    for i in range(count):
        s = i * len(entries) // count
        yield b"\n".join(entries[s:s + size]) + b"\n"


def bundle_of(pem_paths, fmt="v2"):
    """An ESP-IDF bundle of the certificates in pem_paths, written by the independent reference
    generator (tests/tools/idf_bundle_reference.py)."""
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "bundle")
        subprocess.run([sys.executable, os.path.join(ROOT, "tests/tools/idf_bundle_reference.py"), "--format", fmt,
                        "-o", out] + [os.path.join(ROOT, p) for p in pem_paths], capture_output=True, check=True)
        with open(out, "rb") as f:
            return f.read()


def device_input(trust, chain_pem):
    """The device target's input: trust, then the chain's certificates as DER (see device.cpp)."""
    out = len(trust).to_bytes(2, "big") + trust
    for block in pem_blocks(read(chain_pem)):
        der = der_of(block)
        out += len(der).to_bytes(2, "big") + der
    return out


def seeds(target):
    """(name, bytes) pairs for one target."""
    small_pems = files("tests/pki-device/*.pem", "tests/data/idf/entrust.pem",
                       "tests/data/idf/cacrt_local.pem", "tests/data/idf/mbedtls_ut.server_root.pem")
    ders = [(f + ".der", der_of(pem_blocks(read(f))[0])) for f in files("tests/pki-device/*.pem")]
    ders += [(f, read(f)) for f in files("tests/data/idf/*.der")]
    big_pems = files("tests/data/idf/cacrt_all.pem", "tests/data/mozilla/cacert.pem",
                     "tests/data/mozilla/cacert-old.pem", "tests/data/idf/cacrt_deprecated.pem")
    pem_runs = [(f"{f}.{i}", s) for f in big_pems for i, s in enumerate(pem_slices(f))]
    if target == "certdata":
        for f in ("mozilla/certdata.txt", "tests/data/mozilla/certdata-old.txt"):
            yield from ((f"{f}.{i}", s) for i, s in enumerate(certdata_slices(f)))
        yield from pem_runs[:3]
    elif target == "pem_der":
        yield from ((f, read(f)) for f in small_pems)
        yield from ders
        yield from pem_runs
    elif target == "bundle":
        yield from ((f, read(f)) for f in files("tests/data/idf/*_bundle*", "tests/data/idf/*bundle.v*"))
        yield from ((f, read(f)) for f in files("tests/data/idf/entrust.pem", "tests/data/idf/baltimore.der"))
    elif target == "manifest":
        yield from ((f, read(f)) for f in files("examples/**/certbundle.toml", "tests/cmake/**/*.toml"))
    elif target == "lock":
        yield from ((f, read(f)) for f in files("tests/cmake/**/*.lock"))
        # Locks that the CLI tests of a build tree wrote, when there is one.
        for f in files("build/*/tests/**/certbundle.lock")[:10]:
            yield f, read(f)
    elif target == "aia":
        yield from ders
        for f in files("tests/pki-device/chain-*.pem"):
            yield f + ".p7c", pkcs7_of(f)
        yield from ((f, read(f)) for f in files("tests/pki-device/chain-full.pem"))
    elif target == "filter_csv":
        yield from ((f, read(f)) for f in files("tests/data/idf/*.csv", "mozilla/esp-idf/*.csv"))
    elif target == "device":
        pki = "tests/pki-device/"
        cases = [(["root-a.pem"], "chain-full.pem"), (["root-a.pem"], "chain-leaf-int.pem"),
                 (["root-a.pem"], "chain-cross.pem"), (["root-x.pem"], "chain-cross.pem"),
                 (["root-a.pem"], "chain-expired.pem"), (["dup-1.pem", "dup-2.pem"], "chain-dup.pem"),
                 (["root-pss.pem"], "chain-pss.pem")]
        for roots, chain in cases:
            for fmt in ("v2", "v1"):
                name = f"{'+'.join(roots)}.{fmt}.{chain}"
                yield name, device_input(bundle_of([pki + r for r in roots], fmt), pki + chain)
            yield f"{'+'.join(roots)}.pem.{chain}", device_input(b"".join(read(pki + r) for r in roots), pki + chain)
    own = os.path.join(FUZZ, "seeds", target)
    for f in sorted(glob.glob(os.path.join(own, "*"))):
        with open(f, "rb") as fh:
            yield os.path.relpath(f, ROOT), fh.read()


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: seeds.py OUTDIR [TARGET...]")
    out = sys.argv[1]
    for target in sys.argv[2:] or TARGETS:
        if target not in TARGETS:
            sys.exit(f"seeds.py: unknown target {target!r} (one of: {' '.join(TARGETS)})")
        d = os.path.join(out, target)
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
        n = 0
        for name, data in seeds(target):
            # The name says where the seed came from; the hash keeps names unique.
            safe = re.sub(r"[^A-Za-z0-9._-]", "_", name)
            with open(os.path.join(d, f"{safe}.{hashlib.sha256(data).hexdigest()[:8]}"), "wb") as f:
                f.write(data)
            n += 1
        print(f"{target}: {n} seeds")


if __name__ == "__main__":
    main()
