# The README's two commands and .ci/run agree: the same Debian packages, the same test command.
. "$(dirname "$0")/lib.sh"
root=$(cd "$TESTS_DIR/.." && pwd)
readme="$root/README.md"
# The first two ```sh blocks of the README.
blocks=$(awk '/^```sh$/{n++; inside=1; next} /^```$/{inside=0; next} inside && n<=2 {print n": "$0}' "$readme")
first=$(sed -n 's/^1: //p' <<<"$blocks")
second=$(sed -n 's/^2: //p' <<<"$blocks")
[ "$(wc -l <<<"$first")" = 1 ] && [ "$(wc -l <<<"$second")" = 1 ] || fail "the README must start with two one-line commands"
readme_packages=$(sed 's/.*--no-install-recommends //; s/ &&.*//' <<<"$first" | tr ' ' '\n' | sort)
ci_packages=$(sed -n '/^packages=(/,/)/p' "$root/.ci/run" | sed 's/packages=(//; s/)//' | tr -s ' \n' '\n' | sed '/^$/d' | sort)
[ "$readme_packages" = "$ci_packages" ] || { diff <(echo "$readme_packages") <(echo "$ci_packages"); fail "README and .ci/run install different packages"; }
grep -qxF "$second" "$root/.ci/run" || fail ".ci/run does not run the README's test command: $second"
# The first command runs the main job: a bundle written and listed.
grep -q 'certbundle bundle -o x509_crt_bundle && .*certbundle inspect x509_crt_bundle$' <<<"$first" || fail "the first command does not run the main job"
echo "readme: ok"
