"""Exceptions shared by every part of the package, and the exit codes the CLI maps them to.

Exit codes (the same for every command):

* 0 -- solved (optimal, or a feasible plan at a limit; the summary says which)
* 1 -- internal error (a bug: the message asks for a report)
* 2 -- invalid input (:class:`InputError`): every problem is listed, with file, row and column;
  or valid input too large for an exact answer (:class:`TooLargeError`)
* 3 -- no feasible plan (:class:`InfeasibleError`): the unserved or conflicting parts are named
"""

from __future__ import annotations

from dataclasses import dataclass, field

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_INPUT = 2
EXIT_INFEASIBLE = 3


@dataclass(frozen=True)
class Problem:
    """One problem found in the input.

    ``row`` is the 1-based data row of a CSV table or a workbook sheet as a spreadsheet user counts
    it (the header is row 1, so the first data row is row 2); ``None`` when the problem is
    about a whole file or a YAML key. ``line`` and ``col`` are the 1-based line and column of a YAML or
    JSON document.
    In a workbook, ``sheet`` names the sheet and ``cell`` the cell (``C7``) where it has one.
    """

    file: str
    message: str
    row: int | None = None
    column: str | None = None
    line: int | None = None
    sheet: str | None = None
    cell: str | None = None
    col: int | None = None

    def __str__(self) -> str:
        where = self.file
        if self.sheet is not None:
            where += f", sheet '{self.sheet}'"
        if self.line is not None:
            where += f", line {self.line}"
            if self.col is not None:
                where += f", column {self.col}"
        if self.row is not None:
            where += f", row {self.row}"
        if self.column is not None:
            where += f", column '{self.column}'"
        if self.cell is not None:
            where += f" (cell {self.cell})"
        return f"{where}: {self.message}"


class OptimizerError(Exception):
    """Base of every error the package raises on purpose."""

    exit_code = EXIT_INTERNAL


@dataclass
class InputError(OptimizerError):
    """Invalid input. Carries every problem found, so the user fixes them in one pass."""

    problems: list[Problem] = field(default_factory=list)
    source: str = "input"
    exit_code = EXIT_INPUT

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def __str__(self) -> str:
        n = len(self.problems)
        head = f"{self.source}: {n} problem{'s' if n != 1 else ''} found"
        return head + "\n" + "\n".join(f"  - {p}" for p in self.problems)


class ProblemCollector:
    """Collects :class:`Problem` objects and raises one :class:`InputError` at the end."""

    def __init__(self, source: str = "input") -> None:
        self.source = source
        self.problems: list[Problem] = []

    def add(self, file: str, message: str, row: int | None = None, column: str | None = None, line: int | None = None, sheet: str | None = None, cell: str | None = None, col: int | None = None) -> None:
        self.problems.append(Problem(file=file, message=message, row=row, column=column, line=line, sheet=sheet, cell=cell, col=col))

    def extend(self, problems: list[Problem]) -> None:
        self.problems.extend(problems)

    def __bool__(self) -> bool:
        return bool(self.problems)

    def raise_if_any(self) -> None:
        if self.problems:
            raise InputError(list(self.problems), source=self.source)


class TooLargeError(OptimizerError):
    """Valid input that is beyond what an exact answer can be computed for within the effort limits
    (exit 2, like invalid input: the user has to make the input smaller)."""

    exit_code = EXIT_INPUT


class InfeasibleError(OptimizerError):
    """No feasible plan. ``reasons`` names what cannot be satisfied.

    ``status`` says why: ``infeasible`` (proven: no plan exists) or ``time_limit`` (none was found
    within the limit; a longer run may find one).
    """

    exit_code = EXIT_INFEASIBLE

    def __init__(self, message: str, reasons: list[str] | None = None, result=None, status: str = "infeasible") -> None:
        self.reasons = list(reasons or [])
        self.result = result
        self.status = status
        text = message
        if self.reasons:
            text += "\n" + "\n".join(f"  - {r}" for r in self.reasons)
        super().__init__(text)
