"""make install, the man page, --help and --version."""
import os
import re
import subprocess

from conftest import ROOT, TT


def test_make_install_with_destdir_and_prefix(tmp_path):
    p = subprocess.run(["make", "-s", "install", f"DESTDIR={tmp_path}", "PREFIX=/opt/tt"], cwd=ROOT,
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    binary = tmp_path / "opt/tt/sbin/threadtrace"
    man = tmp_path / "opt/tt/share/man/man8/threadtrace.8"
    assert os.access(binary, os.X_OK) and man.is_file()
    for script in ("tt-report", "tt-plot"):
        assert os.access(tmp_path / "opt/tt/bin" / script, os.X_OK)
    v = subprocess.run([str(binary), "--version"], capture_output=True, text=True)
    assert v.returncode == 0 and re.fullmatch(r"threadtrace \d+\.\d+\n", v.stdout)


def test_man_page_renders_and_documents_every_option():
    page = subprocess.run(["man", "-l", str(ROOT / "docs/threadtrace.8")], capture_output=True, text=True,
                          env=dict(os.environ, MANWIDTH="100", MAN_KEEP_FORMATTING="0"))
    assert page.returncode == 0
    text = re.sub(r".\x08", "", page.stdout)
    for section in ("NAME", "SYNOPSIS", "OPTIONS", "EXIT STATUS", "EXAMPLES"):
        assert f"\n{section}\n" in "\n" + text
    help_text = subprocess.run([str(TT), "--help"], capture_output=True, text=True).stdout
    options = set(re.findall(r"--([a-z][a-z-]+)", help_text)) - {"help", "usage", "version"}
    assert len(options) >= 15
    missing = [o for o in options if f"--{o}" not in text.replace("\u2010", "-")]
    assert not missing, missing


def test_help_has_examples_and_exit_codes():
    p = subprocess.run([str(TT), "--help"], capture_output=True, text=True)
    assert p.returncode == 0
    assert "EXAMPLES:" in p.stdout and "threadtrace -p 1234" in p.stdout
    assert "3 not permitted" in p.stdout and "5 no such" in p.stdout
