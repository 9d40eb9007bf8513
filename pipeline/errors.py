"""Errors the pipeline raises; each carries an exit code and a message that says what to do.

Only `pipeline.__main__` turns them into messages and exit codes.
"""

from __future__ import annotations


class PipelineError(Exception):
    """Base of every expected failure; `exit_code` is what the CLI exits with."""

    exit_code = 2

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class NotADraft(PipelineError):
    """The file is not a PDF, an image or a text extraction."""

    exit_code = 3


class EmptyInput(PipelineError):
    exit_code = 3


class CorruptInput(PipelineError):
    exit_code = 4


class EncryptedPdf(PipelineError):
    exit_code = 5


class EncryptedDocument(PipelineError):
    """A password-protected Word/WPS/Excel file: the same exit code as an encrypted PDF."""

    exit_code = 5


class TooLarge(PipelineError):
    """Too many pages, or an image over the decompression-bomb limit."""

    exit_code = 6


class NoTableFound(PipelineError):
    exit_code = 7


class LexiconError(PipelineError):
    """A malformed lexicon line; the message names the file and line."""

    exit_code = 8


class MissingDependency(PipelineError):
    """An optional engine or a system program is not installed; the message says how to install it."""

    exit_code = 9


class ProfileError(PipelineError):
    """A table profile file that cannot be used; the message says what is wrong in it."""

    exit_code = 11


class HeaderNotMapped(PipelineError):
    """A ruled table whose header names no task column, or none at all: columns are never guessed
    by position. The message quotes the header cells read and the roles missing."""

    exit_code = 12


#: Exit code of a draft whose rows were written but some page holding a ruled table was not read
#: (named on stderr, in the summary, in review.html and run.json).
PARTIAL_RESULT_EXIT = 13


class ConversionTimeout(PipelineError):
    """LibreOffice did not finish converting an office file in time and was killed."""

    exit_code = 14


class UnsupportedFormat(PipelineError):
    """A kind of file recognised but not read yet (OFD): the message says what to do instead."""

    exit_code = 15
