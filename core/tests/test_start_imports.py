"""Starting the application (every `lotse serve`, every worker) does not import the libraries
that only making a PDF, a map, a chart or a spreadsheet needs: they cost seconds per process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("weasyprint", "staticmap", "matplotlib", "openpyxl")


def test_creating_the_application_imports_no_pdf_map_chart_or_spreadsheet_library() -> None:
    code = (
        "import json, sys; from app import create_app; create_app(); "
        f"print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=300, check=True)
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []
