"""Compositional functions (Ram, Klinger and Gray 2024) and the compositional program generator (Klinger et al.
2023): computation DAGs and their complexity measures, their evaluation and bounds, the tree-ops task, the SCAN
grammar (shared by chapters 03 and 04), CPG on SCAN, the seq2seq baseline, and a COGS-style language with CPG's
role programs for it."""
