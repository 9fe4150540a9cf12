# Makes `import report` work when pytest is started from the repository root with
# `-p no:cacheprovider tests report` (rootdir-relative imports, no installed package).
import os
import sys

_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)
