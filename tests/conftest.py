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


@pytest.fixture(scope="session")
def searcher(built_index, embedder):
    """A Searcher on the session index, sharing the session's model."""
    from index.search import Searcher

    corpus, index = built_index
    return Searcher.load(index, corpus_dir=corpus, embedder=embedder)
