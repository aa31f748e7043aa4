"""Compositional functions (Ram, Klinger and Gray 2024) and the compositional program generator (Klinger et al.
2023): computation DAGs and their complexity measures, their evaluation and bounds, the tree-ops task, and the SCAN
grammar (shared by chapters 03 and 04)."""
