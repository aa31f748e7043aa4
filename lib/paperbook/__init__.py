"""paperbook: the tested library behind the book's chapters."""

__version__ = "0.1.0"
