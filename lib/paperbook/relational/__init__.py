"""Relational reasoning with transformers (chapter 05): the Latin Square Task, positional encodings, a grid
transformer, its training and the structure of what its positional encodings learn."""
