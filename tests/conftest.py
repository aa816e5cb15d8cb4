"""Shared fixtures. The real model is loaded once per test session (about 10 s on 2 cores)."""

import os

# No model hub here: without these a hub name hangs for about 70 s before failing.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import pytest


@pytest.fixture(scope="session")
def embedder():
    """The default model (m3e-small), loaded once for the whole session."""
    from index.embed import Embedder

    model = Embedder("m3e-small")
    assert model.dim  # load now, so the first test using it does not carry the load time
    return model


@pytest.fixture(scope="session")
def built_index(tmp_path_factory, embedder):
    """The real index of a copy of corpus/, built once per session: (corpus_dir, index_dir)."""
    import shutil
    from pathlib import Path

    from index.build import build_index

    root = tmp_path_factory.mktemp("policyqa")
    corpus = root / "corpus"
    shutil.copytree(Path(__file__).resolve().parent.parent / "corpus", corpus)
    index = root / "index"
    build_index(corpus, index, embedder=embedder)
    return corpus, index


@pytest.fixture
def index_copy(built_index, tmp_path):
    """A copy of the session's corpus, index and embedding cache for a test to change: (corpus, index)."""
    import shutil

    from index.build import cache_dir_for

    corpus, index = built_index
    shutil.copytree(corpus, tmp_path / "corpus")
    shutil.copytree(index, tmp_path / "index")
    if cache_dir_for(index).exists():
        shutil.copytree(cache_dir_for(index), cache_dir_for(tmp_path / "index"))
    return tmp_path / "corpus", tmp_path / "index"


@pytest.fixture(scope="session")
def searcher(built_index, embedder):
    """A Searcher on the session index, sharing the session's model."""
    from index.search import Searcher

    corpus, index = built_index
    return Searcher.load(index, corpus_dir=corpus, embedder=embedder)


@pytest.fixture(scope="session")
def versions_index(tmp_path_factory, embedder):
    """The real index of two regulations in two versions each and one seed plan: (corpus_dir, index_dir).

    上海市科学技术进步条例 2010/2024 (bench/gold/regs/corpus), 上海市促进农业科技进步若干规定 2007/2024
    (tests/data/versions) and 沧州's 十四五 plan (corpus/).
    """
    import shutil
    from pathlib import Path

    from index.build import build_index

    root = Path(__file__).resolve().parent.parent
    base = tmp_path_factory.mktemp("versions")
    corpus = base / "corpus"
    corpus.mkdir()
    shanghai = root / "bench" / "gold" / "regs" / "corpus" / "上海"
    pairs = root / "tests" / "data" / "versions"
    for path in (shanghai / "上海市科学技术进步条例(2010-09-17).md", shanghai / "上海市科学技术进步条例(2024-05-10).md",
                 pairs / "上海市促进农业科技进步若干规定(2007-10-10).md",
                 pairs / "上海市促进农业科技进步若干规定(2024-11-28).md", root / "corpus" / "001_eb25fe5d9d6a88ea.txt"):
        shutil.copy(path, corpus / path.name)
    index = base / "index"
    build_index(corpus, index, embedder=embedder)
    return corpus, index
