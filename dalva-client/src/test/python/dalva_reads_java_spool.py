"""Checks that Dalva's own readers take a finished Java spool (run by hand, not in CI).

usage: python3 dalva_reads_java_spool.py DALVA_BACKEND_SRC SPOOL_RUN_FOLDER

DALVA_BACKEND_SRC is backend/src of a Dalva checkout (tuliosouza99/Dalva, 0.3+);
SPOOL_RUN_FOLDER a run folder a DalvaRun left (for example: server down, run closed).
Needs pydantic; httpx is stubbed. Reads the folder with the importer's event reader
(extracted from services/journal_import.py, whose module needs the database), then resumes
the run with the Python SDK's JournalRun on a copy, logs one more step and finishes it.
"""
import json
import re
import shutil
import sys
import tempfile
import types
from datetime import datetime
from pathlib import Path

src, run_dir = Path(sys.argv[1]), Path(sys.argv[2])
sys.path.insert(0, str(src))
sys.modules.setdefault("httpx", types.ModuleType("httpx"))

reader_source = (src / "dalva/services/journal_import.py").read_text()
reader = re.search(r"(def _read_resource_events\(.*?)(\n\ndef |\Z)", reader_source, re.S).group(1)
namespace = {"Path": Path, "json": json}
exec(reader, namespace)
events = namespace["_read_resource_events"](run_dir / "events")
seqs = [event["seq"] for event in events]
assert seqs == list(range(1, len(seqs) + 1)), f"seqs not contiguous from 1: {seqs[:5]}..."
assert events[0]["type"] == "run_created" and isinstance(events[0]["payload"]["config"], dict)
for event in events:
    datetime.fromisoformat(event["timestamp"])
print(f"importer: {len(events)} events, seq 1..{len(events)}, timestamps parse")

from dalva.sdk.local import JournalRun  # noqa: E402

with tempfile.TemporaryDirectory() as runs:
    copy = Path(runs) / json.loads((run_dir / "manifest.json").read_text())["run_id"]
    shutil.copytree(run_dir, copy)
    project = json.loads((copy / "manifest.json").read_text())["project"]
    run = JournalRun(project, resume_from=copy.name, runs_dir=Path(runs))
    print(f"SDK resume: name {run.name!r}, config {run.config}")
    run.log({"checked_by_python": 1.0}, step=10**6)
    run.finish()
    print(f"SDK: logged one more step and finished; events now {sorted(p.name for p in (copy / 'events').iterdir())}")
