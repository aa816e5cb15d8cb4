"""The sentence model run by OpenVINO: the same vectors as sentence-transformers, 2x faster in float32 and
3.7x in bfloat16 on these cores (bench/README.md, "OpenVINO").

OpenVINO compiles the whole network for the CPU: attention, layer norms and GELU fused, bfloat16 products
where the CPU has them, with the accumulations kept in float32 (cosine to the float32 vectors >= 0.99999).
The model is converted once from the local sentence-transformers folder (plain `openvino.convert_model` of
its transformer; no optimum) and kept in a local folder of the project's (MODEL_CACHE), so later runs need
neither torch nor sentence-transformers: the tokenizer is the folder's own tokenizer.json, and pooling
(mean over the tokens, as sentence-transformers configures m3e-small) is done here.

Only models whose sentence-transformers pipeline is a transformer and mean pooling (optionally normalised)
are converted; any other runs on torch as before (index/embed.py).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import warnings
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path

import numpy as np

from index.errors import EmbeddingError

MODEL_CACHE_ENV = "POLICYQA_MODEL_CACHE"
_PROJECT = Path(__file__).resolve().parent.parent
META = "policyqa.json"
MODEL_XML = "model.xml"


def available() -> bool:
    try:
        import openvino  # noqa: F401
    except ImportError:
        return False
    return True


def convertible(model_dir: Path) -> bool:
    """Is the folder a sentence-transformers model this module can run: a tokenizer.json, and either no
    modules.json (sentence-transformers then pools a transformer's tokens by their mean) or one listing a
    transformer, mean pooling and at most a normalisation? Read from its files, without loading it."""
    model_dir = Path(model_dir)
    if not (model_dir / "tokenizer.json").is_file() or not (model_dir / "config.json").is_file():
        return False
    modules_file = model_dir / "modules.json"
    if not modules_file.is_file():
        return True
    try:
        modules = json.loads(modules_file.read_text(encoding="utf-8"))
        kinds = [m["type"].rsplit(".", 1)[-1] for m in modules]
        pooling_dir = next(m["path"] for m in modules if m["type"].endswith("Pooling"))
        pooling = json.loads((model_dir / pooling_dir / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, StopIteration, TypeError):
        return False
    mean = pooling.get("pooling_mode") == "mean" or (pooling.get("pooling_mode_mean_tokens") and not any(
        v for k, v in pooling.items() if k.startswith("pooling_mode_") and k != "pooling_mode_mean_tokens"))
    return kinds[:2] == ["Transformer", "Pooling"] and all(k == "Normalize" for k in kinds[2:]) and bool(mean)


def model_cache() -> Path:
    """Where converted models are kept: env POLICYQA_MODEL_CACHE, else .model-cache in the project's
    checkout, else the user's cache folder (never inside site-packages)."""
    if os.environ.get(MODEL_CACHE_ENV):
        return Path(os.environ[MODEL_CACHE_ENV])
    if (_PROJECT / "pyproject.toml").is_file():
        return _PROJECT / ".model-cache"
    return Path.home() / ".cache" / "policyqa" / "models"


def _converted_folder(model_dir: Path) -> Path:
    """One folder per model folder, its weights and the converter's version: a new model or a new OpenVINO
    converts again."""
    digest = hashlib.sha1(str(model_dir.resolve()).encode())
    for file in sorted(model_dir.glob("*")):
        if file.is_file():
            digest.update(f"{file.name}:{file.stat().st_size}:{file.stat().st_mtime_ns}".encode())
    for package in ("openvino", "transformers"):
        digest.update(metadata.version(package).encode())
    return model_cache() / f"{model_dir.name}-{digest.hexdigest()[:12]}"


def convert(model_dir: Path) -> Path:
    """The model folder converted for OpenVINO (done once, kept in model_cache()); raises EmbeddingError
    when its pipeline is not a transformer with mean pooling."""
    target = _converted_folder(model_dir)
    if (target / META).is_file():
        return target
    import openvino as ov
    import torch
    from sentence_transformers import SentenceTransformer

    st = SentenceTransformer(str(model_dir), device="cpu")
    kinds = [type(m).__name__ for m in st]
    pooling = st[1].get_config_dict() if len(st) > 1 else {}
    if kinds[:2] != ["Transformer", "Pooling"] or pooling.get("pooling_mode") != "mean" or \
            any(k != "Normalize" for k in kinds[2:]) or not (model_dir / "tokenizer.json").is_file():
        raise EmbeddingError(f"model {model_dir} is {' + '.join(kinds)} pooled {pooling.get('pooling_mode')}: "
                             "not converted for OpenVINO (set POLICYQA_BACKEND=torch)")
    # Texts of two lengths: the example is padded, so the traced graph keeps the attention mask.
    example = st.tokenizer(["示例", "两个例子"], padding=True, return_tensors="pt")
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")              # the tracer's notes on Python-side branches
        converted = ov.convert_model(st[0].auto_model.eval(), example_input=dict(example))
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
    try:
        ov.save_model(converted, str(work / MODEL_XML), compress_to_fp16=False)
        meta = {"inputs": list(example.keys()), "max_length": int(st.max_seq_length),
                "dim": int(st.get_embedding_dimension()), "source": str(model_dir)}
        (work / META).write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")
        os.replace(work, target)          # whole or not at all: a killed conversion leaves no half model
    except OSError:
        shutil.rmtree(work, ignore_errors=True)
        if not (target / META).is_file():
            raise
    return target


class OpenVINOEncoder:
    """Texts -> unit vectors (float32) with the converted model; safe to call from several threads."""

    def __init__(self, model_dir: Path, precision: str) -> None:
        import openvino as ov
        from tokenizers import Tokenizer

        folder = convert(Path(model_dir))
        meta = json.loads((folder / META).read_text(encoding="utf-8"))
        self.dim, self.max_length, self._inputs = meta["dim"], meta["max_length"], meta["inputs"]
        hint = "bf16" if precision == "bf16" else "f32"
        self._compiled = ov.Core().compile_model(str(folder / MODEL_XML), "CPU",
                                                 {"INFERENCE_PRECISION_HINT": hint})
        # The per-token vectors (the other output is BERT's pooler, which sentence-transformers ignores).
        self._tokens_output = next(i for i, o in enumerate(self._compiled.outputs)
                                   if o.get_partial_shape().rank.get_length() == 3)
        self._tokenizer = Tokenizer.from_file(str(Path(model_dir) / "tokenizer.json"))
        self._tokenizer.enable_truncation(self.max_length)
        config = Path(model_dir) / "tokenizer_config.json"
        pad = json.loads(config.read_text(encoding="utf-8")).get("pad_token") if config.is_file() else None
        pad = pad if isinstance(pad, str) else "[PAD]"
        self._tokenizer.enable_padding(pad_id=self._tokenizer.token_to_id(pad) or 0, pad_token=pad)

    def encode(self, texts: Sequence[str], batch_size: int) -> np.ndarray:
        """Mean of the token vectors over the attention mask, L2-normalised; batches of similar length."""
        order = np.argsort([len(t) for t in texts], kind="stable")
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        request = self._compiled.create_infer_request()
        for start in range(0, len(texts), batch_size):
            rows = order[start:start + batch_size]
            encodings = self._tokenizer.encode_batch([texts[i] for i in rows])
            feed = {"input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
                    "attention_mask": np.array([e.attention_mask for e in encodings], dtype=np.int64),
                    "token_type_ids": np.array([e.type_ids for e in encodings], dtype=np.int64)}
            request.infer({name: feed[name] for name in self._inputs})
            tokens = request.get_output_tensor(self._tokens_output).data
            mask = feed["attention_mask"][..., None].astype(np.float32)
            pooled = (tokens * mask).sum(axis=1) / np.maximum(mask.sum(axis=1), 1e-9)
            out[rows] = pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        return out
