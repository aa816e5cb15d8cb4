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
