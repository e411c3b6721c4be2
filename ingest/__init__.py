"""Extract files -> the `raw` schema of the warehouse: parsing, validation, ledger, quarantine.

Personal data stops here: the raw tables keep every contract column as loaded (personal columns
included, for audit and restatement) and nothing downstream selects the personal ones.
"""

from ingest.loader import LoadResult, ingest_paths, load_file
from ingest.schema import init_warehouse

__all__ = ["LoadResult", "ingest_paths", "init_warehouse", "load_file"]
