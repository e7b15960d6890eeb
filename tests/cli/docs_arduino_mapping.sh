# The arduino-esp32 core -> bundle format mapping is stated the same way in every place a user
# reads it: the README, examples/arduino (README, the sketch, platformio.ini). The mapping is
# FACTS' (ESP-IDF under each core: 2.0.x on 4.4, 3.0.x/3.1.x on 5.1/5.3, 3.2 and later on 5.4+;
# V1 up to ESP-IDF 5.3, V2 from 5.4), written once here as the canonical sentence. A file that
# lacks it, or that anywhere pairs "3.x" with V2 (cores 3.0 and 3.1 read V1), fails the test.
. "$(dirname "$0")/lib.sh"
root=$(cd "$TESTS_DIR/.." && pwd)
canonical='2.0.x: V1; 3.0.x and 3.1.x: V1; 3.2 and later: V2'
files=(README.md examples/arduino/README.md examples/arduino/certbundle_https/certbundle_https.ino
       examples/arduino/platformio/platformio.ini)
for f in "${files[@]}"; do
  grep -qF -- "$canonical" "$root/$f" || fail "$f does not state the mapping as: $canonical"
done
# Nothing in these files, the rest of examples/arduino, or the tool's help says that every 3.x
# core reads V2, or that 3.x reads V1 (3.2 and later read V2).
wrong=$(cd "$root" && grep -rnE '3\.x[^.;]*V2|V2[^.;]*3\.x|3\.x[^.;]*V1|V1[^.;]*3\.x|2\.x[^.;]*V2' \
  README.md examples/arduino tool src/certbundle/bundle || true)
[ -z "$wrong" ] || fail "a core -> format statement that contradicts \"$canonical\": $wrong"
# In examples/arduino, the command beside each core version writes that format: --idf-version
# 4.4 (2.0.x) and 5.3 (3.0.x, 3.1.x) give V1, no option gives V2 (checked below on the bundles
# the tool writes: V1 starts with a big-endian count, V2 with a little-endian offset).
for f in "${files[@]:1}"; do
  while IFS= read -r line; do
    case $line in
      *"--idf-version 4.4"*) grep -qE '2\.0\.x' <<<"$line" || fail "$f: --idf-version 4.4 not for 2.0.x: $line" ;;
      *"--idf-version 5.3"*) grep -qE '3\.0\.x and 3\.1\.x' <<<"$line" || fail "$f: --idf-version 5.3 not for 3.0.x and 3.1.x: $line" ;;
      *"certbundle bundle"*"#"*) grep -qE '3\.2 and later' <<<"$line" || fail "$f: a V2 command not for 3.2 and later: $line" ;;
    esac
  done < <(grep -E 'certbundle bundle .*(#|;)|--idf-version (4\.4|5\.3)' "$root/$f" | grep -v '^\s*$' || true)
done
expect_exit 0 "$CERTBUNDLE" bundle --idf-version 4.4 --include "ISRG Root X1" -o v44
expect_exit 0 "$CERTBUNDLE" bundle --idf-version 5.3 --include "ISRG Root X1" -o v53
expect_exit 0 "$CERTBUNDLE" bundle --include "ISRG Root X1" -o vdefault
# One root: V1 is 00 01 then the record; V2 is the offset 04 00 00 00 then the record.
[ "$(head -c2 v44 | xxd -p)" = 0001 ] || fail "--idf-version 4.4 did not write V1"
[ "$(head -c2 v53 | xxd -p)" = 0001 ] || fail "--idf-version 5.3 did not write V1"
[ "$(head -c4 vdefault | xxd -p)" = 04000000 ] || fail "the default is not V2"
echo "docs_arduino_mapping: ok"
