"""One package per chapter: parameters, experiments, plots and claims (core <- topic <- chapter <- notebook)."""
