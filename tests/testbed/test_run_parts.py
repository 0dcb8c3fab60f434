"""testbed/run-parts: every part runs, the table of times, and what failed at the very end.

The script runs in a copy of itself next to a small Makefile whose parts pass, fail a pytest
test, or fail without pytest: the end of its output must name the failing tests, because a CI
report may show only the last lines of the log.
"""
import json
import shutil
import subprocess
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]

MAKEFILE = """\
ok:
\t@echo all good
pytest:
\t@echo "tests/x.py::test_y FAILED"
\t@echo "FAILED tests/x.py::test_y - AssertionError: boom"
\t@echo "ERROR tests/x.py::test_z - fixture failed"
\t@echo "1 failed, 1 error"; exit 1
other:
\t@echo first; echo second; echo "the last words"; exit 2
slow1 slow2:
\t@sleep 2; echo $@ done
"""


def run(tmp_path, *parts):
    (tmp_path / "testbed").mkdir()
    shutil.copy(PROJECT / "testbed" / "run-parts", tmp_path / "testbed" / "run-parts")
    (tmp_path / "Makefile").write_text(MAKEFILE)
    return subprocess.run([str(tmp_path / "testbed" / "run-parts"), *parts], cwd=tmp_path,
                          capture_output=True, text=True, check=False)


def test_all_parts_pass(tmp_path):
    result = run(tmp_path, "ok", "ok")
    assert result.returncode == 0
    assert result.stdout.rstrip().splitlines()[-1].startswith("total")
    assert json.loads((tmp_path / "build" / "test-times.json").read_text())["ok"]["status"] == "ok"
    assert "all good" in (tmp_path / "build" / "parts" / "ok.log").read_text()


def test_failures_named_at_the_end(tmp_path):
    result = run(tmp_path, "pytest", "ok", "other")
    assert result.returncode == 1
    lines = result.stdout.rstrip().splitlines()
    table = lines.index(next(line for line in lines if line.startswith("total")))
    assert [line.split()[-1] for line in lines[table - 3:table]] == ["FAILED", "ok", "FAILED"]
    assert lines[table + 1:-1] == [
        "pytest failed (build/parts/pytest.log):",
        "FAILED tests/x.py::test_y - AssertionError: boom",
        "ERROR tests/x.py::test_z - fixture failed",
        "other failed (build/parts/other.log):",
        "second",
        "the last words",
    ]
    assert lines[-1].endswith("[Makefile:9: other] Error 2")  # make, make[1], ... under make
    times = json.loads((tmp_path / "build" / "test-times.json").read_text())
    assert {part: row["status"] for part, row in times.items()} == {
        "pytest": "FAILED", "ok": "ok", "other": "FAILED"}


def test_lanes_run_at_the_same_time(tmp_path):
    """`--` starts a lane: its parts run beside the first lane's; the table names each part's lane."""
    result = run(tmp_path, "slow1", "ok", "--", "slow2", "other")
    assert result.returncode == 1
    lines = result.stdout.rstrip().splitlines()
    total = next(line for line in lines if line.startswith("total"))
    assert int(total.split()[1]) < 4, total  # two sleeps of 2 s side by side, not one after the other
    table = lines.index(total)
    assert [line.split()[0] for line in lines[table - 4:table]] == ["slow1", "ok", "slow2", "other"]
    assert lines[table - 2].endswith("ok  (lane 2)") and lines[table - 1].endswith("FAILED  (lane 2)")
    assert "slow2 done" in (tmp_path / "build" / "parts" / "slow2.log").read_text()
    assert "slow2 done" not in result.stdout  # a second lane's output stays in its log
    times = json.loads((tmp_path / "build" / "test-times.json").read_text())
    assert {part: row["lane"] for part, row in times.items()} == {"slow1": "1", "ok": "1", "slow2": "2", "other": "2"}
