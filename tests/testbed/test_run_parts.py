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
