# certbundle mozilla update never downgrades: --url must be https:// (or file:// for a local
# mirror), a redirect may only go to https, and the report names the URL the snapshot came from.
. "$(dirname "$0")/lib.sh"
. "$TESTS_DIR/servers/fetch_env.sh"
make_pki
mkdir -p www && cp "$MOZILLA_DIR/certdata.txt" www/certdata.txt
cat "$PKI/leaf.pem" "$PKI/int-a.pem" > served-chain.pem
py_server S https --dir www --cert served-chain.pem --key "$PKI/leaf.key"
py_server H http --dir www
https="https://127.0.0.1:$S"
http="http://127.0.0.1:$H"
enc() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"; }

mkdir -p proj/snap && cp "$TEST_DATA/mozilla/certdata-old.txt" proj/snap/certdata.txt
printf '[policy]\nmozilla = "snap/certdata.txt"\n' > proj/certbundle.toml
keep() { cmp proj/snap/certdata.txt "$TEST_DATA/mozilla/certdata-old.txt" || fail "the snapshot was changed"; }
update=("$CERTBUNDLE" mozilla update proj/certbundle.toml --ca-file "$PKI/root-a.pem")

# Not https: refused before any download.
for url in "$http/certdata.txt" "ftp://127.0.0.1:$H/certdata.txt" "127.0.0.1:$S/certdata.txt"; do
  expect_exit 2 "${update[@]}" --url "$url"
  expect_one_line "$WORK/err"
  expect_in "$WORK/err" "certbundle: error: --url \"$url\": give an https:// URL (or file:// for a local mirror)"
  keep
done

# https redirecting to http (or to a file): refused, nothing written.
for to in "$http/certdata.txt" "file://$PWD/www/certdata.txt"; do
  expect_exit 5 "${update[@]}" --url "$https/to?$(enc "$to")"
  expect_one_line "$WORK/err"
  expect_in "$WORK/err" "certbundle: error: cannot download $https/to?"
  expect_in "$WORK/err" ": refused the redirect to $to (only https is allowed here"
  keep
done

# https redirecting to https: followed, and the report names where the snapshot came from.
expect_exit 0 "${update[@]}" --url "$https/to?$(enc "$https/certdata.txt")"
expect_in "$WORK/out" "$https/to?$(enc "$https/certdata.txt") redirected to $https/certdata.txt"
expect_in "$WORK/out" "$https/certdata.txt (SHA-256 "
expect_in "$WORK/out" "wrote proj/snap/certdata.txt"
cmp proj/snap/certdata.txt "$MOZILLA_DIR/certdata.txt" || fail "not the served snapshot"

# file:// for a local mirror.
cp "$TEST_DATA/mozilla/certdata-old.txt" proj/snap/certdata.txt
expect_exit 0 "$CERTBUNDLE" mozilla update proj/certbundle.toml --url "file://$PWD/www/certdata.txt"
expect_in "$WORK/out" "file://$PWD/www/certdata.txt (SHA-256 "
grep -q "redirected" "$WORK/out" && fail "a redirect was reported for a file"
cmp proj/snap/certdata.txt "$MOZILLA_DIR/certdata.txt" || fail "not the mirrored snapshot"
echo PASS
