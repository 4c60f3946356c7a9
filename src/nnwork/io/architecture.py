"""A model's architecture as JSON data, and the model rebuilt from it, with no code executed.

`architecture(model)` is the module's own description, {"type": name, ...its config}, as JSON
data; `build(architecture)` constructs an equal module (fresh parameters: a model file then
fills them in). io knows no module type: each one describes itself (`config()` and
`from_config()`, registered when its class is created: see nnwork.nn.config), so a new type
needs no edit here. Since a file's header is untrusted data, every `from_config` checks each
field's type and range and rejects unknown fields, and `build(..., max_parameters=n)` refuses,
before allocating, a header that claims more parameters than its file holds.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

from nnwork.io.tree import to_json
from nnwork.nn import config as module_types
from nnwork.nn.config import is_registered as is_registered, reserve_parameters as reserve_parameters
from nnwork.nn.module import Module


def architecture(model: Module) -> dict[str, Any]:
    """The JSON description of `model`: {"type": ..., fields...}. TypeError if its type is unknown."""
    description = module_types.describe(model)
    return to_json(description, f"the architecture of {description['type']}")  # type: ignore[no-any-return]


def build(architecture: Mapping[str, Any], *, max_parameters: int | None = None) -> Module:
    """A new module of the described architecture (ValueError if the description is invalid).

    `max_parameters` caps the number of parameter values the builders may allocate in total.
    """
    return module_types.build(architecture, max_parameters=max_parameters)  # type: ignore[no-any-return]


def register_architecture(cls: type[Module], describe: Callable[[Any], dict[str, Any]],
                          build: Callable[[dict[str, Any]], Module], *, name: str | None = None) -> None:
    """Teach `architecture`/`build` (and so `save`/`load`) a module type that does not describe
    itself (a class of someone else's, say); a class of your own can define `config()` and
    `from_config()` instead.

    **Arguments:**
        cls: the Module subclass; only exactly this type matches (a subclass may compute
            something else, so it must register itself).
        describe: `describe(model) -> dict` of JSON data (without "type") enough to rebuild it.
        build: `build(fields) -> cls instance` from that dict. It receives untrusted data: check
            every field (ValueError naming it), reject unknown ones, call `reserve_parameters`
            before allocating, and build children with `nnwork.io.build`.
        name: the "type" written to files (default `cls.__name__`).
    """
    if not (isinstance(cls, type) and issubclass(cls, Module)):
        raise TypeError(f"`cls` must be a Module subclass, got {cls!r}")
    module_types.register(cls, name=name, describe=describe, build=build)
