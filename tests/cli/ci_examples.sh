# The certbundle commands of examples/ci/*.yml, run as written against a project whose endpoint
# is a local TLS server.
. "$(dirname "$0")/lib.sh"
. "$TESTS_DIR/servers/fetch_env.sh"
make_pki
examples="$TESTS_DIR/../examples/ci"
s_server PORT "$PKI/leaf.pem" "$PKI/leaf.key" "$PKI/int-a.pem"
mkdir -p firmware && cp "$PKI/root-a.pem" firmware/
# A copy of the snapshot (its date unknown to certbundle), so that the bundled snapshot's age,
# which depends on today, is no finding here.
cp "$MOZILLA_DIR/certdata.txt" firmware/
cat > firmware/certbundle.toml <<TOML
[policy]
mozilla = "certdata.txt"
[[endpoint]]
name = "api"
url = "https://127.0.0.1:$PORT"
[bundle]
extra = ["root-a.pem"]
TOML
expect_exit 0 "$CERTBUNDLE" lock firmware/certbundle.toml

mkdir -p bin && ln -s "$CERTBUNDLE" bin/certbundle
commands=$(grep -ho 'certbundle check .*' "$examples"/github-workflow.yml "$examples"/gitlab-ci.yml)
[ "$(wc -l <<<"$commands")" = 4 ] || fail "expected 4 certbundle commands in examples/ci, got: $commands"
while IFS= read -r cmd; do
  echo "+ $cmd"
  PATH="$WORK/bin:$PATH" expect_exit 0 bash -c "$cmd"
done <<<"$commands"
# What they produced: annotations (none: all is fine, just the summary) and a JUnit report.
PATH="$WORK/bin:$PATH" bash -c "certbundle check firmware/certbundle.toml --live --format github" > gh.txt
expect_in gh.txt "certbundle check: no findings"
python3 -c "import xml.etree.ElementTree as E; r=E.parse('certbundle-junit.xml').getroot(); assert r.get('failures')=='0', E.tostring(r)"

# Once the server is gone, the live commands fail the job (exit 1) and say why.
cleanup_servers; PIDS=()
PATH="$WORK/bin:$PATH" expect_exit 1 bash -c "certbundle check firmware/certbundle.toml --live --format github"
expect_in "$WORK/out" "::error file=firmware/certbundle.toml,line=3,title=certbundle fetch-failed::endpoint api: https://127.0.0.1:$PORT: connect:"
echo "ci examples: ok"
