#!/bin/sh
# The whole suite: unit tests (ASan/UBSan, one pytest entry per C test function, through
# tests/integration/test_unit.py) and real-BPF integration tests.
# Needs root; ends with a line "N passed, N failed[, N skipped]" that counts this run only:
# each test once, failed if any of its phases (setup, call, teardown) failed.
# TT_TESTS (default tests/integration) and TT_JUNIT (default build/junit.xml) exist for
# tests/integration/test_run_sh.py, which runs this script on a tiny suite of its own.
set -u
cd "$(dirname "$0")/.."
if [ "$(id -u)" != 0 ]; then
	echo "tests: BPF needs root: run 'sudo make test'" >&2
	echo "0 passed, 1 failed"
	exit 1
fi
tests=${TT_TESTS:-tests/integration}
junit=${TT_JUNIT:-build/junit.xml}
mkdir -p "$(dirname "$junit")"
# A report left by an earlier run must never be counted as this run's.
rm -f "$junit"
# Arguments naming test files (tests/run.sh tests/integration/test_x.py -k name) replace the
# default folder; otherwise it would run, and count, those files twice.
for a in "$@"; do
	case $a in -*) continue ;; esac
	if [ -e "${a%%::*}" ]; then
		tests=""
		break
	fi
done
# shellcheck disable=SC2086
/usr/bin/python3 -m pytest -p no:cacheprovider -q --junitxml="$junit" $tests "$@"
rc=$?
# The counter exits 0 when nothing failed, 10 when something did; anything else means it could
# not count at all.
/usr/bin/python3 - "$junit" "$rc" <<'PY'
import sys, xml.etree.ElementTree as ET
junit, rc = sys.argv[1], int(sys.argv[2])
outcome = {}  # (classname, name) -> "passed" | "failed" | "skipped", in file order
try:
    root = ET.parse(junit).getroot()
except (OSError, ET.ParseError) as e:
    print(f"tests: no test report from pytest ({e}): counted as one failure", file=sys.stderr)
    print("0 passed, 1 failed")
    sys.exit(10)
for case in root.iter("testcase"):
    key = (case.get("classname", ""), case.get("name", ""))
    tags = {child.tag for child in case}
    if tags & {"failure", "error"}:
        now = "failed"
    elif "skipped" in tags:
        now = "skipped"
    else:
        now = "passed"
    # a test may appear more than once (e.g. an error in teardown after a pass): worst wins
    order = ("passed", "skipped", "failed")
    if key not in outcome or order.index(now) > order.index(outcome[key]):
        outcome[key] = now
passed = sum(v == "passed" for v in outcome.values())
failed = sum(v == "failed" for v in outcome.values())
skipped = sum(v == "skipped" for v in outcome.values())
if rc != 0 and failed == 0:
    # pytest failed before or outside any test (usage error, no tests collected, crash)
    print(f"tests: pytest exited with {rc} but no test failed: counted as one failure",
          file=sys.stderr)
    failed = 1
print(f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
sys.exit(10 if failed else 0)
PY
counted=$?
if [ "$counted" != 0 ] && [ "$counted" != 10 ]; then
	echo "tests: could not count the results" >&2
	echo "0 passed, 1 failed"
fi
[ "$rc" != 0 ] && exit "$rc"
[ "$counted" != 0 ] && exit 1
exit 0
