#!/bin/sh
# The whole suite: unit tests (ASan/UBSan) and real-BPF integration tests.
# Needs root; ends with a line "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
if [ "$(id -u)" != 0 ]; then
	echo "tests: BPF needs root: run 'sudo make test'" >&2
	echo "0 passed, 1 failed"
	exit 1
fi
junit=build/junit.xml
/usr/bin/python3 -m pytest -p no:cacheprovider -q --junitxml="$junit" tests/integration "$@"
rc=$?
/usr/bin/python3 - "$junit" "$rc" <<'PY'
import sys, xml.etree.ElementTree as ET
try:
    s = ET.parse(sys.argv[1]).getroot()
    s = s if s.tag == "testsuite" else s.find("testsuite")
    total, fail = int(s.get("tests")), int(s.get("failures")) + int(s.get("errors"))
    skip = int(s.get("skipped"))
except Exception:
    total, fail, skip = 0, 1, 0
passed = total - fail - skip
if int(sys.argv[2]) != 0 and fail == 0:
    fail = 1  # pytest failed before or outside any test
print(f"{passed} passed, {fail} failed" + (f", {skip} skipped" if skip else ""))
PY
exit $rc
