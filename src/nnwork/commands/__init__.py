"""The subcommands of `nnwork`, one module each (see nnwork.cli)."""
