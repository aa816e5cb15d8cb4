"""What a benchmark run as a script sets before anything else: models load offline, tokenizers stay
single-threaded, torch's OpenMP threads wait passively (it must be set before torch loads: see
index/embed.py), and the checkout's packages come first on sys.path.

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from bench import script_env   # first of the project's imports
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false",
            "OMP_WAIT_POLICY": "PASSIVE"}

for name, value in SETTINGS.items():
    os.environ.setdefault(name, value)
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
