"""The C unit tests (built with ASan and UBSan) run as part of the suite."""
import subprocess

import pytest

from conftest import BUILD, ROOT

UNIT = sorted(p.stem for p in (ROOT / "tests" / "unit").glob("test_*.c"))


def test_unit_tests_exist():
    assert UNIT, "no unit tests found"


@pytest.mark.parametrize("name", UNIT)
def test_unit(name):
    p = subprocess.run([str(BUILD / "tests" / name)], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stdout + p.stderr
    assert " 0 failed" in p.stdout.strip().splitlines()[-1]
    assert "runtime error" not in p.stderr and "AddressSanitizer" not in p.stderr
