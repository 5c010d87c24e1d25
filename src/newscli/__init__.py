"""newscli: index a folder of news articles and search, read and browse it."""

__version__ = "0.1.0"
__all__ = ["__version__"]
