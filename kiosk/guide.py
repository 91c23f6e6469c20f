"""智能导办: walking the hall's guide tree question by question (pure, no I/O).

A node is `{label, question?, options?, matter?, online?, online_where?, hint?}` as the server
sends it; the top level is a list of nodes, asked as "请选择您要办理的业务类别".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

Node = dict[str, Any]


@dataclass(frozen=True)
class GuideStep:
    """Where the citizen is: the question, its options, and a leaf when one was reached."""

    path: tuple[int, ...]
    labels: tuple[str, ...]  # the answers given so far (breadcrumb)
    question: str | None
    options: tuple[str, ...]
    leaf: Node | None

    @property
    def is_leaf(self) -> bool:
        """True when the answers led to a matter or an online-only advice."""
        return self.leaf is not None

    @property
    def online(self) -> bool:
        """True when the leaf says no number is needed (可全程网办)."""
        return bool(self.leaf and self.leaf.get("online"))


def step(tree: list[Node], path: tuple[int, ...]) -> GuideStep:
    """The step reached by the answers `path` (indexes into each level's options)."""
    options: list[Node] = tree
    question: str | None = None
    labels: list[str] = []
    node: Node | None = None
    for index in path:
        if not 0 <= index < len(options):
            raise IndexError(f"no option {index} at {labels!r}")
        node = options[index]
        labels.append(str(node.get("label", "")))
        question = node.get("question")
        options = list(node.get("options") or [])
    if node is not None and not options:
        return GuideStep(path, tuple(labels), question, (), node)
    return GuideStep(
        path,
        tuple(labels),
        question,
        tuple(str(o.get("label", "")) for o in options),
        None,
    )


def leaves(tree: list[Node], path: tuple[int, ...] = ()) -> list[tuple[tuple[int, ...], Node]]:
    """Every leaf with its path (for tests and the docs)."""
    found: list[tuple[tuple[int, ...], Node]] = []
    current = step(tree, path)
    if current.leaf is not None:
        return [(path, current.leaf)]
    for index in range(len(current.options)):
        found.extend(leaves(tree, (*path, index)))
    return found


def find_path(tree: list[Node], labels: list[str]) -> tuple[int, ...]:
    """The path that answers with these labels in order (tests and scripted demos)."""
    path: tuple[int, ...] = ()
    for label in labels:
        options = step(tree, path).options
        if label not in options:
            raise KeyError(f"{label!r} not among {options!r}")
        path = (*path, options.index(label))
    return path
