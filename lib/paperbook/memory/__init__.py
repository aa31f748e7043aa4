"""Associative memories: log-sum-exp energy (chapters 01-02) and ClAM clustering (chapter 02)."""
