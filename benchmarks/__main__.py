"""``python -m benchmarks``: the model benchmark (see benchmarks/model_bench.py)."""

from migdev.benchmarks.model_bench import main

raise SystemExit(main())
