# examples/transition/demo.sh, run as its README says (from the repository root, with a relative
# CERTBUNDLE path), and the roots it claims checked independently: each bundle is compared byte for
# byte with the one tests/tools/idf_bundle_reference.py writes from the roots that should be in it,
# and each PEM buffer's certificates with the demo's PKI by the openssl CLI's fingerprints.
. "$(dirname "$0")/lib.sh"
python3 -c "import cryptography" 2>/dev/null || { echo "SKIP: python3-cryptography is not installed"; exit 77; }
root="$TESTS_DIR/.."
demo="$WORK/demo"
(cd "$root" && CERTBUNDLE=$(realpath --relative-to=. "$CERTBUNDLE") examples/transition/demo.sh "$demo") \
  > demo.log 2>&1 || { cat demo.log; fail "demo.sh failed"; }
expect_in demo.log "demo done in $demo"

# fingerprints FILE: the SHA-256 fingerprint of every certificate in a PEM file, one a line, sorted.
fingerprints() {
  awk -v dir="$WORK/split" 'BEGIN{system("rm -rf " dir "; mkdir -p " dir)}
    /-----BEGIN CERTIFICATE-----/{n++; f=dir "/" n ".pem"} f{print > f} /-----END CERTIFICATE-----/{f=""}' "$1"
  for c in "$WORK"/split/*.pem; do openssl x509 -in "$c" -noout -fingerprint -sha256; done | sort
}
# expect_roots STEP ROOT...: the bundle and the PEM buffer of out-STEP hold exactly these roots.
expect_roots() {
  local step=$1 r want=()
  shift
  for r in "$@"; do want+=("$demo/pki/$r.pem"); done
  python3 "$TESTS_DIR/tools/idf_bundle_reference.py" -o "ref-$step.bin" "${want[@]}"
  cmp "$demo/out-$step/x509_crt_bundle" "ref-$step.bin" || fail "out-$step/x509_crt_bundle does not hold exactly: $*"
  cat "${want[@]}" > "want-$step.pem"
  [ "$(fingerprints "$demo/out-$step/server_root_cert.pem")" = "$(fingerprints "want-$step.pem")" ] ||
    fail "out-$step/server_root_cert.pem does not hold exactly: $*"
}
expect_roots before old
expect_roots after old new
expect_roots retired new
# What the demo says happened (lock's report), after the roots are known to be right.
expect_in demo.log "device anchor changed from \"Old Root CA\""
expect_in demo.log "transition started: \"Old Root CA\""
echo "example transition: ok"
