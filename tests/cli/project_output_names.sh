# Outputs stay where they belong: an output name is a plain file name, outputs whose files or C
# names would collide are refused naming both manifest lines, an output never overwrites the
# manifest, the lock or a CA file; and -o never replaces what is not a regular file.
. "$(dirname "$0")/lib.sh"
root="$TESTS_DIR/pki-device/root-a.pem"
cp "$root" ca.pem

# refused NAME WHY: a [[pem]] with that name is refused (exit 3, one line naming line 1), nothing written.
refused() {
  printf '[[pem]]\nname = "%s"\nfiles = ["ca.pem"]\n' "$1" > certbundle.toml
  rm -rf gen
  expect_exit 3 "$CERTBUNDLE" build --out gen
  expect_one_line "$WORK/err"
  expect_in "$WORK/err" "certbundle.toml\": line 2: [[pem]] "
  expect_in "$WORK/err" "not a plain file name: it $2"
  [ ! -e gen ] || fail "build wrote gen/ for the name $1"
  expect_exit 3 "$CERTBUNDLE" check
}
refused "../certbundle.toml" 'holds a "/"'
refused "sub/x.pem" 'holds a "/"'
refused "/tmp/certbundle-abs.pem" 'holds a "/"'
refused 'a\\b.pem' 'holds a "\"'
refused ".." 'holds ".."'
refused "x..pem" 'holds ".."'
refused "." 'is "."'
refused 'bell\u0007.pem' "holds a control character"
grep -q $'\a' "$WORK/err" && fail "the control character was echoed"
long=$(printf 'a%.0s' $(seq 197)).pem
refused "$long" "is longer than 200 bytes"
[ ! -e /tmp/certbundle-abs.pem ] || fail "an absolute name was written"
# 200 bytes is still a name.
printf '[[pem]]\nname = "%s"\nfiles = ["ca.pem"]\n' "$(printf 'a%.0s' $(seq 196)).pem" > certbundle.toml
expect_exit 0 "$CERTBUNDLE" build --out gen -q

# collide FIRST SECOND: two outputs that write the same file or embed under the same C name.
collide() {
  printf '%s\n\n%s\n' "$1" "$2" > certbundle.toml
  rm -rf gen
  expect_exit 3 "$CERTBUNDLE" build --out gen
  expect_one_line "$WORK/err"
  [ ! -e gen ] || fail "build wrote gen/ for a collision"
}
pem() { printf '[[pem]]\nname = "%s"\nfiles = ["ca.pem"]%s' "$1" "${2:+$'\n'$2}"; }
collide "$(pem ca-api.pem)" "$(pem ca_api.pem)"
expect_in "$WORK/err" 'line 5: [[pem]] "ca_api.pem" would be embedded as _binary_ca_api_pem_start (C array ca_api_pem), as [[pem]] "ca-api.pem" (line 1) is'
collide "$(pem CA.pem)" "$(pem ca.pem)"
expect_in "$WORK/err" 'line 5: [[pem]] "ca.pem" would write "ca.pem", which [[pem]] "CA.pem" (line 1) writes too'
collide "$(pem certbundle-build.txt)" "$(pem other.pem)"
expect_in "$WORK/err" 'line 1: [[pem]] "certbundle-build.txt" would write "certbundle-build.txt", which the build report writes too'
collide "$(printf '[bundle]\nname = "roots"\nroots = "none"\nextra = ["ca.pem"]\nemit = ["bin", "c"]')" "$(pem roots.h)"
expect_in "$WORK/err" 'line 7: [[pem]] "roots.h" would write "roots.h", which [bundle] "roots" (line 1) writes too'
collide "$(pem a.pem 'emit = ["c"]')" "$(pem a_pem.c)"
expect_in "$WORK/err" 'line 6: [[pem]] "a_pem.c" would write "a_pem.c", which [[pem]] "a.pem" (line 1) writes too'

# An output never overwrites what the build reads, whatever --out is.
mkdir -p proj && cp ca.pem proj/
printf '[[pem]]\nname = "certbundle.toml"\nfiles = ["ca.pem"]\n' > proj/certbundle.toml
cp proj/certbundle.toml manifest.before
expect_exit 3 "$CERTBUNDLE" build proj/certbundle.toml --out proj
expect_one_line "$WORK/err"
expect_in "$WORK/err" 'proj/certbundle.toml:1: output "certbundle.toml" would overwrite the manifest "proj/certbundle.toml" (--out "proj"); nothing was written'
cmp proj/certbundle.toml manifest.before
[ ! -e proj/certbundle-build.txt ] || fail "the report was written beside a refused output"
printf '[[pem]]\nname = "ca.pem"\nfiles = ["ca.pem"]\n' > proj/certbundle.toml
expect_exit 3 "$CERTBUNDLE" build proj/certbundle.toml --out proj
expect_in "$WORK/err" 'output "ca.pem" would overwrite pem.files "proj/ca.pem"'
cmp proj/ca.pem "$root"
expect_exit 0 "$CERTBUNDLE" build proj/certbundle.toml --out proj/gen -q   # elsewhere: fine

# -o: standard output, a FIFO, a device, a symbolic link.
expect_exit 0 "$CERTBUNDLE" bundle -o plain.bin "$root"
"$CERTBUNDLE" bundle -o - "$root" > stdout.bin 2>stdout.err || fail "bundle -o - failed"
cmp plain.bin stdout.bin
expect_in stdout.err "wrote standard output"
expect_exit 2 "$CERTBUNDLE" bundle --emit c -o - "$root"
mkfifo fifo
cat fifo > from-fifo.bin &
reader=$!
expect_exit 0 "$CERTBUNDLE" bundle -o fifo "$root"
wait "$reader"
[ -p fifo ] || fail "the FIFO was replaced"
cmp plain.bin from-fifo.bin
if [ -w /dev/null ]; then
  expect_exit 0 "$CERTBUNDLE" bundle -o /dev/null "$root"
  [ -c /dev/null ] || fail "/dev/null is no longer a device"
fi
mkdir -p real && ln -s real/target.bin link.bin
expect_exit 0 "$CERTBUNDLE" bundle -o link.bin "$root"     # a link to a file not there yet
[ -L link.bin ] || fail "the symbolic link was replaced"
cmp plain.bin real/target.bin
expect_exit 0 "$CERTBUNDLE" roots --at 2026-11-21 --include "ISRG Root X1" --pem -o link.bin
[ -L link.bin ] || fail "the symbolic link was replaced"
expect_in real/target.bin "ISRG Root X1"
[ -z "$(find real -name '.*')" ] || fail "a temporary file was left in real/"
echo "output names: ok"
