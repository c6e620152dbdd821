#!/bin/sh
# tests/suite_golden.sh -- the golden pairs (see tests/golden.sh), then the
# runner itself on a copy of two examples: the examples' goldens pin the
# shipped files, so an edit to an example's code, a new example without its
# expectation and an expectation without its example each fail.
BUILD=${BUILD:-build}
CAMP=${CAMP:-$PWD/$BUILD/camp}
export BUILD CAMP
out=$(sh tests/golden.sh); rc=$?
printf '%s\n' "$out" | sed '$d'
last=$(printf '%s\n' "$out" | tail -n 1)
pass=$(printf '%s' "$last" | sed -n 's/^\([0-9]*\) passed, [0-9]* failed$/\1/p')
fail=$(printf '%s' "$last" | sed -n 's/^[0-9]* passed, \([0-9]*\) failed$/\1/p')
[ -n "$pass" ] || { pass=0; fail=1; echo "FAIL tests/golden.sh: no closing line"; }
[ "$rc" -ne 0 ] && [ "$fail" -eq 0 ] && fail=1
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
# a tree with the runner, welcome_flow and models, and their disasm goldens
mkdir -p "$t/tests/golden/disasm/examples" "$t/examples"
cp tests/golden.sh "$t/tests/"
cp -R examples/welcome_flow.camp examples/welcome_flow examples/models.camp "$t/examples/"
cp tests/golden/disasm/examples/welcome_flow.expected tests/golden/disasm/examples/models.expected "$t/tests/golden/disasm/examples/"
expect() {             # WHAT CLOSING-LINE [FAIL-LINE]: what the runner in $t prints
  sh "$t/tests/golden.sh" > "$t/out" 2>&1
  if [ "$(tail -n 1 "$t/out")" = "$2" ] && { [ -z "${3:-}" ] || grep -qxF -e "$3" "$t/out"; }; then pass=$((pass + 1))
  else fail=$((fail + 1)); echo "FAIL runner: $1"; tail -n 5 "$t/out"; fi
}
expect "the copied examples pass" "2 passed, 0 failed"
sed 's/expire 7 days/expire 8 days/' examples/welcome_flow.camp > "$t/examples/welcome_flow.camp"
expect "an edited example fails, its diff shows the change" "1 passed, 1 failed" "-    expire   1w"
cp examples/welcome_flow.camp "$t/examples/welcome_flow.camp"
echo 'model extra { }' > "$t/examples/extra.camp"
expect "a new example without its expectation fails" "2 passed, 1 failed" \
  "FAIL examples/extra.camp: missing expectation tests/golden/disasm/examples/extra.expected (UPDATE=1 sh tests/golden.sh writes it; read it before committing)"
rm "$t/examples/extra.camp" "$t/examples/welcome_flow.camp"
expect "an expectation without its example fails" "1 passed, 1 failed" \
  "FAIL tests/golden/disasm/examples/welcome_flow.expected: no examples/welcome_flow.camp for it"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
