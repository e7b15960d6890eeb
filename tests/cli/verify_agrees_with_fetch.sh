# certbundle verify (mbedtls, ESP-IDF's bundle algorithm) against certbundle fetch's device view
# (OpenSSL, certbundle/chain) on every chain of the fetch tests' PKI (tests/pki/make_pki.sh),
# served by openssl s_server, with bundles of each CA. Both ignore dates here (verify: no device
# clock; fetch's device view: no date check) and names (an IP target: mbedtls 2.28 does not match
# IP addresses, and the device view does not look at names).
# fetch's device view says the device connects when its anchor is one of the bundle's
# certificates (source "ca"). Differences by design (duplicate subjects in a bundle, RSA-PSS) do
# not occur in this PKI; tests/unit/test_device.cpp covers them with tests/pki-device.
. "$(dirname "$0")/lib.sh"
. "$TESTS_DIR/servers/fetch_env.sh"
make_pki
cd "$PKI"

for ca in root-a root-b int-a root-expired unrelated; do
  "$CERTBUNDLE" bundle -o "$WORK/$ca.bin" "$ca.pem" >/dev/null
done

checked=0
connects=0
# server: "LEAF CHAIN" (CHAIN "" for the leaf alone)
for server in "leaf chain-int.pem" "leaf chain-full.pem" "leaf chain-cross.pem" \
  "leaf chain-unrelated.pem" "leaf chain-wrong.pem" "leaf " "leaf-soon chain-soon.pem" \
  "leaf-expired chain-int.pem" "leaf-other chain-int.pem" "leaf-under-expired " \
  "leaf-self "; do
  read -r leaf chain <<<"$server"
  [ -f "$leaf.pem" ] || fail "the PKI has no $leaf.pem"
  s_server PORT "$leaf.pem" "$leaf.key" "$chain"
  for ca in root-a root-b int-a root-expired unrelated; do
    got=0
    "$CERTBUNDLE" fetch "127.0.0.1:$PORT" --ca "$ca.pem" --no-aia --json \
      -o "$WORK/fetch.json" >/dev/null 2>&1 || got=$?
    [ "$got" = 0 ] || [ "$got" = 1 ] || fail "fetch $leaf+$chain: exit $got"
    openssl_view=$(json_get "$WORK/fetch.json" \
      "'connects' if (d['targets'][0]['device']['anchor'] or {}).get('source') == 'ca' else 'refused'")
    got=0
    "$CERTBUNDLE" verify --bundle "$WORK/$ca.bin" "127.0.0.1:$PORT" >"$WORK/verify.out" 2>&1 \
      || got=$?
    case $got in
      0) mbedtls_view=connects ;;
      1) mbedtls_view=refused ;;
      *) cat "$WORK/verify.out"; fail "verify $leaf+$chain with $ca: exit $got" ;;
    esac
    if [ "$openssl_view" != "$mbedtls_view" ]; then
      cat "$WORK/verify.out"
      fail "$leaf + ${chain:-nothing} with a bundle of $ca: fetch's device view $openssl_view, verify $mbedtls_view"
    fi
    checked=$((checked + 1))
    [ "$mbedtls_view" = connects ] && connects=$((connects + 1))
  done
done
[ "$connects" -gt 5 ] && [ "$connects" -lt "$checked" ] || fail "only $connects of $checked connect"
echo "ok: $checked chain/bundle pairs agree ($connects connect)"
