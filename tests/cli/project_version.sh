# One ESP-IDF version per build, said once (issue 12, item 5). init writes idf_version only when
# given; the build side (--idf-version, --format, check's --bundle-format) and the manifest must
# agree, else build, build --plan and check exit 2 with one line naming both; with no version
# anywhere, build, check and lock say what they assume; verify without a version follows the
# bundle's format: a V1 bundle is read by ESP-IDF 5.3, whose signature check accepts the RSA-PSS
# chain of tests/pki-device that ESP-IDF 6's refuses.
. "$(dirname "$0")/lib.sh"
D="$TESTS_DIR/pki-device"

# init: idf_version commented unless given; a version that is not one is a usage error.
expect_exit 0 "$CERTBUNDLE" init
grep -q '^# idf_version = "5.5"' certbundle.toml || { cat certbundle.toml; fail "init wrote idf_version"; }
grep -q '^idf_version' certbundle.toml && fail "init wrote an uncommented idf_version"
expect_exit 0 "$CERTBUNDLE" init --idf-version 5.4 -o pinned.toml
grep -q '^idf_version = "5.4" ' pinned.toml || { cat pinned.toml; fail "init --idf-version 5.4 did not write it"; }
expect_exit 2 "$CERTBUNDLE" init --idf-version five -o bad.toml
expect_in "$WORK/err" 'certbundle: error: invalid ESP-IDF version "five"'
[ -e bad.toml ] && fail "init wrote a manifest for a bad version"

# A manifest with an output and no version: the note, once, on stderr.
cat > open.toml <<'TOML'
[bundle]
name = "app_crt_bundle"
roots = "none"
include = ["ISRG Root X1"]
TOML
note='certbundle: note: no ESP-IDF version given (policy.idf_version in open.toml, or --idf-version): assuming ESP-IDF 6: bundle format v2'
expect_exit 0 "$CERTBUNDLE" build open.toml --out gen
expect_in "$WORK/err" "$note"
expect_exit 0 "$CERTBUNDLE" check open.toml
expect_in "$WORK/err" "$note"
expect_exit 0 "$CERTBUNDLE" build open.toml --out gen -q
[ -s "$WORK/err" ] && { cat "$WORK/err"; fail "build -q printed the note"; }
# Given by the build: no note, and the build's format.
expect_exit 0 "$CERTBUNDLE" build open.toml --out gen53 --idf-version 5.3
grep -q "note" "$WORK/err" && fail "a note although --idf-version was given"
expect_exit 0 "$CERTBUNDLE" inspect gen53/app_crt_bundle
expect_in "$WORK/out" "ESP-IDF bundle V1"

# The plan: JSON, without --out, with the build's version.
expect_exit 0 "$CERTBUNDLE" build open.toml --plan --idf-version 5.3
expect_in "$WORK/out" '"format": "certbundle-plan"'
expect_in "$WORK/out" '"bundle_format": "v1"'
expect_in "$WORK/out" '"symbol": "_binary_app_crt_bundle_start"'
expect_in "$WORK/out" "\"path\": \"$WORK/open.toml\""

# Disagreement: exit 2, one line naming both, for build, build --plan and check.
one='certbundle: error: --idf-version 5.3 (bundle format v1) disagrees with pinned.toml:13: idf_version = "5.4" (format v2): give the ESP-IDF version in one place'
for cmd in "build pinned.toml --out gen2" "build pinned.toml --plan" "check pinned.toml"; do
  # shellcheck disable=SC2086 # the words of $cmd are the arguments
  expect_exit 2 "$CERTBUNDLE" $cmd --idf-version 5.3
  expect_in "$WORK/err" "$one"
  expect_one_line "$WORK/err"
done
[ -e gen2 ] && fail "a disagreeing build wrote something"
expect_exit 2 "$CERTBUNDLE" build pinned.toml --plan --format v1
expect_in "$WORK/err" 'certbundle: error: --format v1 disagrees with pinned.toml:13: idf_version = "5.4" (format v2)'
expect_exit 2 "$CERTBUNDLE" check pinned.toml --bundle-format v1
expect_in "$WORK/err" 'certbundle: error: --bundle-format v1 disagrees with pinned.toml:13'
expect_exit 2 "$CERTBUNDLE" build pinned.toml --plan --idf-version 5.5
expect_in "$WORK/err" '--idf-version 5.5 (bundle format v2) disagrees with pinned.toml:13: idf_version = "5.4"'
# The same version at another precision agrees.
expect_exit 0 "$CERTBUNDLE" build pinned.toml --plan --idf-version 5.4.2
expect_exit 0 "$CERTBUNDLE" check pinned.toml --idf-version v5.4

# verify without a version: the rule of the bundle's format.
expect_exit 0 "$CERTBUNDLE" bundle --format v1 -o v1_bundle "$D/root-pss.pem"
expect_exit 0 "$CERTBUNDLE" bundle --format v2 -o v2_bundle "$D/root-pss.pem"
expect_exit 0 "$CERTBUNDLE" verify --bundle v1_bundle --chain "$D/chain-pss.pem"
expect_in "$WORK/err" "certbundle: note: no --idf-version: a V1 bundle is read by ESP-IDF 5.3 and earlier"
expect_in "$WORK/out" "verdict: the device would connect"
expect_exit 1 "$CERTBUNDLE" verify --bundle v2_bundle --chain "$D/chain-pss.pem"
expect_in "$WORK/err" "certbundle: note: no --idf-version: a V2 bundle is read by ESP-IDF 5.4 and later"
expect_exit 0 "$CERTBUNDLE" verify --bundle v2_bundle --chain "$D/chain-pss.pem" --idf-version 5.5
grep -q "note" "$WORK/err" && fail "verify --idf-version printed a note"
expect_exit 0 "$CERTBUNDLE" verify --pem "$D/root-pss.pem" --chain "$D/chain-pss.pem"
expect_in "$WORK/err" "certbundle: note: no --idf-version: checking signatures as ESP-IDF 6 does"
echo "project version: ok"
