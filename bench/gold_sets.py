"""Every gold set in the repository and the corpus its questions are about (bench/README.md), relative to the
checkout's root."""

SEEDS_CORPUS = "corpus"
REGS_CORPUS = "bench/gold/regs/corpus"
SETS = {
    "bench/gold/seeds": SEEDS_CORPUS, "bench/heldout": SEEDS_CORPUS, "bench/fresh-seeds": SEEDS_CORPUS,
    "bench/fresh2-seeds": SEEDS_CORPUS, "bench/fresh3-seeds": SEEDS_CORPUS, "bench/fresh4-seeds": SEEDS_CORPUS,
    "bench/fresh5-seeds": SEEDS_CORPUS,
    "bench/gold/regs": REGS_CORPUS, "bench/fresh-regs": REGS_CORPUS,
    "bench/fresh2-regs": REGS_CORPUS, "bench/fresh3-regs": REGS_CORPUS, "bench/fresh4-regs": REGS_CORPUS,
    "bench/fresh5-regs": REGS_CORPUS, "bench/fresh6-regs": REGS_CORPUS,
    "bench/fresh7-regs": REGS_CORPUS, "bench/fresh8-regs": REGS_CORPUS,
    "bench/fresh9-regs": REGS_CORPUS, "bench/fresh10-regs": REGS_CORPUS,
    "bench/fresh11-regs": REGS_CORPUS, "bench/fresh12-regs": REGS_CORPUS, "bench/fresh13-regs": REGS_CORPUS,
}
