"""sagashi's errors: one hierarchy with a common base.

The library raises these; the CLI turns them into one line on stderr plus a
hint, with exit status 2 for usage problems and 1 for everything else.
"""

from __future__ import annotations


class SagashiError(Exception):
    """Base class of every error sagashi raises on purpose.

    ``hint`` says what to do about it, in one line, or is empty.
    """

    exit_code = 1

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class UsageError(SagashiError):
    """A call or a command line was wrong: bad argument type, range or value."""

    exit_code = 2


class QueryError(UsageError):
    """A query sagashi refuses outright (for example one over the length limit)."""


class DataError(SagashiError):
    """Input records could not be read or failed validation.

    ``path``, ``line`` and ``column`` locate the problem where known:
    ``file:line column NAME``. In a workbook ``sheet`` names the sheet and
    ``line`` is the row: ``file, sheet NAME, row N, column NAME``.
    """

    def __init__(self, message: str, path: str | None = None, line: int | None = None,
                 column: str | None = None, hint: str = "", sheet: str | None = None) -> None:
        if sheet is not None:
            parts = [str(path), f"sheet {sheet}"] if path is not None else [f"sheet {sheet}"]
            parts += [f"row {line}"] if line is not None else []
            parts += [f"column {column}"] if column else []
            where = ", ".join(parts)
        else:
            where = ":".join(str(p) for p in (path, line) if p is not None)
            if column:
                where = f"{where} column {column}" if where else f"column {column}"
        super().__init__(f"{where}: {message}" if where else message, hint)
        self.path, self.line, self.column, self.sheet = path, line, column, sheet


class IndexStateError(SagashiError):
    """Base for problems with an index directory (not named ``IndexError``,
    which would shadow the builtin)."""


class IndexMissingError(IndexStateError):
    """No index exists where one was expected."""


class IndexMismatchError(IndexStateError):
    """The index was built by other settings, schema or dictionary: reindex."""


class IndexUntrustedError(IndexStateError):
    """The directory was not created by sagashi, or others could have changed it."""


class IndexLockedError(IndexStateError):
    """Another process holds the index's write lock for longer than we wait."""


class GenerationGone(IndexMissingError):
    """The live generation was swapped out and removed while being opened:
    look again (the engine does, and never lets this escape)."""


class NotFoundError(SagashiError):
    """A record asked for by its No is not in the index."""


class EngineClosedError(SagashiError):
    """An engine was used after ``close()``."""


class InternalError(SagashiError):
    """A bug in sagashi, not a mistake of the caller: an unexpected exception
    while answering, wrapped with what was being done so it can be reported."""
