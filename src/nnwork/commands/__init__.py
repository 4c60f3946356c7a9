"""The subcommands of `nnwork`, one module each (see nnwork.cli)."""


def r_squared(value: float | None) -> str:
    """R² for a table: six decimals, or "—" where it is undefined (a constant target)."""
    return "—" if value is None else f"{value:.6f}"
