# certbundle verify --chain: the device verifier on saved chains of the test PKI
# (tests/pki-device), with bundles written by `certbundle bundle`. Expected verdicts follow
# `openssl verify` on the same files, except where ESP-IDF's bundle search differs by design
# (see tests/unit/test_device.cpp).
. "$(dirname "$0")/lib.sh"
P="$TESTS_DIR/pki-device"
B="$CERTBUNDLE"

"$B" bundle -o a.bin "$P/root-a.pem" >/dev/null
"$B" bundle -o x.bin "$P/root-x.pem" >/dev/null
"$B" bundle -o a-v1.bin --format v1 "$P/root-a.pem" >/dev/null
"$B" bundle -o dup.bin "$P/dup-1.pem" "$P/dup-2.pem" >/dev/null 2>&1

# A full chain, and leaf + intermediate.
expect_exit 0 "$B" verify --bundle a.bin --chain "$P/chain-full.pem"
expect_in out "verdict: the device would connect"
expect_in out "device log: esp-x509-crt-bundle: Certificate validated"
expect_exit 0 "$B" verify --bundle a-v1.bin --format v1 --chain "$P/chain-leaf-int.pem" --host localhost
expect_exit 0 "$B" verify --bundle a-v1.bin --idf-version 5.3 --chain "$P/chain-leaf-int.pem"
expect_exit 1 "$B" verify --bundle a.bin --chain "$P/chain-leaf-int.pem" --host example.com
expect_in out "is not for \"example.com\""

# A chain ending in a cross-signed root: the default mode needs the cross-signer (Root X).
expect_exit 1 "$B" verify --bundle a.bin --chain "$P/chain-cross.pem"
expect_in out "the bundle has no entry for \"O=certbundle tests,CN=Device Test Root X\""
expect_in out "mbedtls: -0x3000"
expect_exit 0 "$B" verify --bundle x.bin --chain "$P/chain-cross.pem"
expect_exit 0 "$B" verify --bundle a.bin --chain "$P/chain-cross.pem" --cross-signed-verify
expect_in out "mode: cross-signed"
expect_in out "anchor: O=certbundle tests,CN=Device Test Root A (entry #0)"

# A bundle without the root.
expect_exit 1 "$B" verify --bundle x.bin --chain "$P/chain-full.pem"
expect_in out "No matching trusted root certificate found"

# Two entries with the same subject: the search lands on dup-1, whose key does not verify.
expect_exit 1 "$B" verify --bundle dup.bin --chain "$P/chain-dup.pem"
expect_in out "entry #1 has the same subject and would verify"
openssl verify -CAfile "$P/dup-2.pem" -untrusted "$P/int-dup.pem" "$P/leaf-dup.pem" >/dev/null

# An expired intermediate, with the device clock set and unset.
expect_exit 0 "$B" verify --bundle a.bin --chain "$P/chain-expired.pem"
expect_in out "device clock: none (dates not checked)"
expect_exit 0 "$B" verify --bundle a.bin --chain "$P/chain-expired.pem" --time 2020-06-01
expect_exit 1 "$B" verify --bundle a.bin --chain "$P/chain-expired.pem" --time 2030-01-01
expect_in out "has expired (device clock 2030-01-01T00:00:00Z)"
expect_in out "  ! The certificate validity has expired"
! openssl verify -attime 1893456000 -CAfile "$P/root-a.pem" -untrusted "$P/int-expired.pem" \
  "$P/leaf-exp.pem" >/dev/null 2>&1 || fail "openssl accepts the expired intermediate"

# A PEM buffer instead of a bundle.
expect_exit 0 "$B" verify --pem "$P/root-x.pem" --chain "$P/chain-cross.pem"
expect_exit 1 "$B" verify --pem "$P/root-x.pem" --chain "$P/chain-full.pem"

# JSON.
expect_exit 1 "$B" verify --bundle a.bin --chain "$P/chain-cross.pem" --json
python3 - "$WORK/out" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
v = j["verification"]
assert v["connects"] is False, v
assert v["lookup"]["entry"] is None and "Root X" in v["lookup"]["issuer"], v
assert v["mbedtls_result"] == -0x3000 and j["trust"]["format"] == "V2", j
PY

# A V1 bundle read as V2 and the reverse: one line, exit 3.
expect_exit 3 "$B" verify --bundle a-v1.bin --format v2 --chain "$P/chain-full.pem"
expect_one_line err
expect_in err "\"a-v1.bin\" is a V1 bundle, not V2"
expect_exit 3 "$B" verify --bundle a.bin --idf-version 5.3 --chain "$P/chain-full.pem"
expect_in err "is a V2 bundle, not V1"

# A damaged bundle: one line naming the file, exit 3; never a crash.
head -c 200 a.bin >damaged.bin
expect_exit 3 "$B" verify --bundle damaged.bin --chain "$P/chain-full.pem"
expect_one_line err
expect_in err "damaged.bin"
head -c 1000 /dev/urandom >random.bin
got=0; "$B" verify --bundle random.bin --chain "$P/chain-full.pem" >/dev/null 2>&1 || got=$?
[ "$got" = 3 ] || [ "$got" = 1 ] || fail "random bytes as a bundle: exit $got"

# Unreadable files and usage errors.
expect_exit 3 "$B" verify --bundle missing.bin --chain "$P/chain-full.pem"
expect_one_line err
expect_exit 3 "$B" verify --bundle a.bin --chain missing.pem
expect_exit 2 "$B" verify --chain "$P/chain-full.pem"
expect_exit 2 "$B" verify --bundle a.bin
expect_exit 2 "$B" verify --bundle a.bin --pem "$P/root-a.pem" --chain "$P/chain-full.pem"
expect_exit 2 "$B" verify --bundle a.bin --chain "$P/chain-full.pem" --time yesterday
expect_exit 2 "$B" verify --bundle a.bin --chain "$P/chain-full.pem" --sni x
echo ok
