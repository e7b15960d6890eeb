# Crash safety: `certbundle build`, `lock` and `mozilla update` killed with SIGKILL at random
# moments, KILLS times each (a random delay between 0 and the command's measured duration; lock
# and mozilla update against slow local servers, so the kill often lands mid-fetch or
# mid-download). Each run changes the outputs (old -> new); after every kill:
# - every output file is byte-identical either to its old or to its new version, never partial
#   (build's set of files is not atomic: a kill between two renames may leave some new and some
#   old; the test counts such runs, and the next build completes the set);
# - the lock is the old one byte for byte, or a complete new lock (valid JSON with the new chain);
# - the Mozilla snapshot is the old certdata.txt or the new one, byte for byte;
# - no other file appears, except (documented in src/certbundle/core/file.hpp) a hidden
#   ".NAME.tmpXXXXXX" left by a kill in the instant between its link and its rename: a complete
#   copy of the new NAME, which no command reads (checked, then removed);
# - the command, run again to the end, succeeds.
# The outputs are then put back to the old version for the next kill.
. "$(dirname "$0")/lib.sh"
. "$TESTS_DIR/servers/fetch_env.sh"
KILLS=${CRASH_KILLS:-30}
make_pki
root_with_leaf c

ms_now() { echo $(($(date +%s%N) / 1000000)); }
# duration_ms CMD...: how long CMD takes to the end (it must succeed).
duration_ms() {
  local start
  start=$(ms_now)
  "$@" >/dev/null 2>&1 || { "$@"; fail "$* failed"; }
  echo $(($(ms_now) - start))
}
# kill_at_random MAX_MS CMD...: runs CMD in the background and SIGKILLs it after a random delay in
# [0, MAX_MS] ms, or lets it finish if it is faster. Sets KILLED (1 when it was still running).
kill_at_random() {
  local max=$1
  shift
  local delay=$((RANDOM * RANDOM % (max + 1)))
  "$@" >/dev/null 2>&1 &
  local pid=$!
  sleep "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))"
  KILLED=0
  # Until `wait`, an exited child stays a zombie: its pid cannot be reused, and kill succeeds.
  kill -0 "$pid" 2>/dev/null && KILLED=1
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
# check_leftovers DIR NEWDIR NAMES...: DIR holds only NAMES (and hidden temporary files that are a
# complete copy of NAME's new version in NEWDIR, which are then removed). Adds to LEFTOVERS.
check_leftovers() {
  local dir=$1 newdir=$2
  shift 2
  local f base
  for f in "$dir"/* "$dir"/.[!.]*; do
    [ -e "$f" ] || continue
    base=${f##*/}
    if [[ " $* " == *" $base "* ]]; then continue; fi
    if [[ $base =~ ^\.(.+)\.tmp[A-Za-z0-9]{6}$ ]] && [[ " $* " == *" ${BASH_REMATCH[1]} "* ]]; then
      [ -z "$newdir" ] || cmp -s "$f" "$newdir/${BASH_REMATCH[1]}" || fail "$f is not a complete copy of the new ${BASH_REMATCH[1]}"
      LEFTOVERS=$((LEFTOVERS + 1))
      rm -f "$f"
      continue
    fi
    fail "a stray file after a kill: $f"
  done
}

# ---- build: a bundle (bin and C), a PEM buffer (pem and C) and the report: 7 files.
s_server PORT "$PKI/leaf.pem" "$PKI/leaf.key" "$PKI/int-a.pem"
mkdir -p build && cd build
cat >certbundle.toml <<TOML
[[endpoint]]
name = "api"
url = "https://127.0.0.1:$PORT"

[bundle]
roots = "endpoints"
extra = ["$PKI/root-a.pem"]
emit = ["bin", "c"]

[[pem]]
name = "ca.pem"
endpoints = ["api"]
emit = ["pem", "c"]
TOML
expect_exit 0 "$CERTBUNDLE" lock
at=$(date -u +%Y-%m-%dT%H:%M:%SZ)
expect_exit 0 "$CERTBUNDLE" build --out out --at "$at"
cp -r out old
names=$(cd out && echo *)
# The new version: more roots in both outputs.
sed -i 's|^roots = "endpoints"|roots = "common"|; s|^emit = \["pem", "c"\]|emit = ["pem", "c"]\nlabels = ["ISRG Root X1", "DigiCert Global Root G2"]|' certbundle.toml
expect_exit 0 "$CERTBUNDLE" build --out new --at "$at"
[ "$(cd new && echo *)" = "$names" ] || fail "the new build has other files"
differ=""  # the headers declare the same arrays in both versions
for f in $names; do cmp -s "old/$f" "new/$f" || differ="$differ $f"; done
[ "$differ" = " ca.pem ca_pem.c certbundle-build.txt x509_crt_bundle x509_crt_bundle.c" ] ||
  fail "the files that change: $differ"
dur=$(duration_ms "$CERTBUNDLE" build --out out --at "$at")
cp old/* out/
LEFTOVERS=0 mixed=0 all_new=0 killed=0
for ((i = 0; i < KILLS; ++i)); do
  kill_at_random "$dur" "$CERTBUNDLE" build --out out --at "$at"
  killed=$((killed + KILLED))
  n_old=0 n_new=0
  for f in $names; do
    cmp -s "out/$f" "new/$f" || cmp -s "out/$f" "old/$f" || fail "build killed: out/$f is neither the old nor the new version"
  done
  for f in $differ; do
    if cmp -s "out/$f" "new/$f"; then n_new=$((n_new + 1)); else n_old=$((n_old + 1)); fi
  done
  [ "$n_old" = 0 ] && all_new=$((all_new + 1))
  [ "$n_old" != 0 ] && [ "$n_new" != 0 ] && mixed=$((mixed + 1))
  check_leftovers out new $names
  cp old/* out/
done
echo "build: $KILLS runs (${dur} ms each), $killed killed; afterwards $all_new all new, $mixed mixed; $LEFTOVERS temporary files"
expect_exit 0 "$CERTBUNDLE" build --out out --at "$at"
for f in $names; do cmp -s "out/$f" "new/$f" || fail "the build after the kills differs: $f"; done
cd ..

# ---- lock: the endpoint moves from Test Root A to Test Root C; the server waits 200 ms before
# each handshake.
cleanup_servers; PIDS=()
cat "$PKI/leaf.pem" "$PKI/int-a.pem" >"$PKI/served-a.pem"
py_server PORT delay --delay-ms 200 --cert "$PKI/served-a.pem" --key "$PKI/leaf.key"
mkdir -p lock && cd lock
printf '[[endpoint]]\nname = "api"\nurl = "https://127.0.0.1:%s"\n\n[bundle]\nroots = "endpoints"\n' "$PORT" >certbundle.toml
expect_exit 0 "$CERTBUNDLE" lock --ca "$PKI/root-a.pem" --ca "$PKI/root-c.pem"
cp certbundle.lock lock.old
cleanup_servers; PIDS=()
py_server P delay --delay-ms 200 --cert "$PKI/leaf-c.pem" --key "$PKI/leaf-c.key" --port "$PORT"
leaf_c=$(fingerprint "$PKI/leaf-c.pem")
# valid_new_lock FILE: a complete lock with the new chain (leaf-c, device anchor Test Root C).
valid_new_lock() {
  python3 - "$1" "$leaf_c" <<'PY' || fail "the lock after a kill is neither the old one nor a complete new one"
import json, sys
e = json.load(open(sys.argv[1]))["endpoints"]["api"]
assert e["chain"][0]["sha256"] == sys.argv[2], e["chain"][0]
assert e["device_anchor"]["label"] == "Test Root C", e["device_anchor"]
PY
}
dur=$(duration_ms "$CERTBUNDLE" lock --ca "$PKI/root-a.pem" --ca "$PKI/root-c.pem")
valid_new_lock certbundle.lock
cp lock.old certbundle.lock
LEFTOVERS=0 new=0 killed=0
for ((i = 0; i < KILLS; ++i)); do
  kill_at_random "$dur" "$CERTBUNDLE" lock --ca "$PKI/root-a.pem" --ca "$PKI/root-c.pem"
  killed=$((killed + KILLED))
  if ! cmp -s certbundle.lock lock.old; then
    valid_new_lock certbundle.lock
    new=$((new + 1))
  fi
  check_leftovers . "" certbundle.toml certbundle.lock lock.old
  cp lock.old certbundle.lock
done
echo "lock: $KILLS runs (${dur} ms each), $killed killed; afterwards $new new locks; $LEFTOVERS temporary files"
expect_exit 0 "$CERTBUNDLE" lock --ca "$PKI/root-a.pem" --ca "$PKI/root-c.pem"
valid_new_lock certbundle.lock
cd ..

# ---- mozilla update: from certdata-old.txt to certdata.txt (1.3 MB), over HTTPS, 64 KiB every 15 ms.
cleanup_servers; PIDS=()
mkdir -p www mozilla/snap && cp "$MOZILLA_DIR/certdata.txt" www/certdata.txt
py_server PORT https --dir www --cert "$PKI/served-a.pem" --key "$PKI/leaf.key" --chunk-delay-ms 15
cd mozilla
cp "$TEST_DATA/mozilla/certdata-old.txt" snap/old.txt
cp snap/old.txt snap/certdata.txt
printf '[policy]\nmozilla = "snap/certdata.txt"\n' >certbundle.toml
update=("$CERTBUNDLE" mozilla update --url "https://127.0.0.1:$PORT/certdata.txt" --ca-file "$PKI/root-a.pem")
dur=$(duration_ms "${update[@]}")
cmp -s snap/certdata.txt "$MOZILLA_DIR/certdata.txt" || fail "mozilla update did not write the new snapshot"
cp snap/old.txt snap/certdata.txt
mkdir -p new && cp "$MOZILLA_DIR/certdata.txt" new/certdata.txt
LEFTOVERS=0 new=0 killed=0
for ((i = 0; i < KILLS; ++i)); do
  kill_at_random "$dur" "${update[@]}"
  killed=$((killed + KILLED))
  if ! cmp -s snap/certdata.txt snap/old.txt; then
    cmp -s snap/certdata.txt new/certdata.txt || fail "mozilla update killed: the snapshot is neither the old nor the new one"
    new=$((new + 1))
  fi
  check_leftovers snap new certdata.txt old.txt
  cp snap/old.txt snap/certdata.txt
done
echo "mozilla update: $KILLS runs (${dur} ms each), $killed killed; afterwards $new new snapshots; $LEFTOVERS temporary files"
expect_exit 0 "${update[@]}"
cmp -s snap/certdata.txt new/certdata.txt || fail "the update after the kills did not write the new snapshot"
echo PASS
