"""Exec inside the target, and tracing with no tracefs mounted."""
import subprocess

from conftest import DEMOS, PYTHON, TT, parse_csv, trace_command


def test_exec_resets_threads_and_tracing_goes_on(tmp_path):
    # a thread is running when the process execs mtsleep3: it dies with the old program
    prog = ("import os,threading,time\n"
            "threading.Thread(target=time.sleep, args=(30,), daemon=True).start()\n"
            "time.sleep(0.2)\n"
            f"os.execv({str(DEMOS / 'mtsleep3')!r}, ['mtsleep3'])\n")
    t = trace_command([PYTHON, "-c", prog], tmp_path)
    assert t.rc == 0, t.stderr
    execs = t.events("exec")
    assert [r["detail"] for r in execs] == ["/usr/bin/python3.11", str(DEMOS / "mtsleep3")]
    assert execs[1]["name"] == "mtsleep3"
    starts = t.events("start")
    py_thread = int(starts[0]["tid"])
    assert t.exit_of(py_thread)["detail"] == "daemon-killed"
    assert int(t.exit_of(py_thread)["ts_ns"]) <= int(execs[1]["ts_ns"])
    # after the exec, mtsleep3's threads and joins as usual
    main, l0, l1 = t.tids["main"], t.tids["loop0"], t.tids["loop1"]
    assert {int(r["tid"]) for r in starts[1:]} == {l0, l1}
    assert [(int(r["tid"]), int(r["peer_tid"])) for r in t.events("join")] == [(main, l0), (main, l1)]


def test_works_without_tracefs(tmp_path):
    # a private mount namespace where no tracefs/debugfs is mounted at all
    out = tmp_path / "t.csv"
    script = ("for m in $(awk '$3==\"tracefs\"||$3==\"debugfs\"{print $2}' /proc/mounts | sort -r);"
              " do umount -l \"$m\" || exit 9; done;"
              " awk '$3==\"tracefs\"{exit 8}' /proc/mounts || exit 8;"
              f" exec {TT} --csv -w {out} -- {DEMOS / 'mtsleep3'}")
    p = subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-c", script],
                       capture_output=True, text=True, timeout=60, env={"TT_SCALE": "0.05",
                                                                          "PATH": "/usr/bin:/bin"})
    assert p.returncode == 0, p.stderr
    rows = parse_csv(out.read_text())
    assert len([r for r in rows if r["event"] == "start"]) == 2
    assert len([r for r in rows if r["event"] == "join"]) == 2
