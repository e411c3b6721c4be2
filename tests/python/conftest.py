"""Shared pytest setup: tests import the helpers in warehouse_builder.py from this folder."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
