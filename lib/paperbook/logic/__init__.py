"""Neural Reasoning Networks (Carrow et al., arXiv 2410.07966): logical neurons, the network, tree-threshold
predicates, the bandit structure search, sufficient explanations and offline tabular data."""
