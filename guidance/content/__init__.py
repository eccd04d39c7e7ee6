"""Guidance Markdown: parsing, validation and rendering, independent of Flask and the database."""

from .model import Block, Choice, DocumentKind, ParsedDocument, Problem, Step
from .parser import parse_document
from .tree import check_tree, load_tree

__all__ = [
    "Block",
    "Choice",
    "DocumentKind",
    "ParsedDocument",
    "Problem",
    "Step",
    "check_tree",
    "load_tree",
    "parse_document",
]
