"""Generated guidance for tests and benchmarks/long_process.py."""

from __future__ import annotations


def long_process(steps: int) -> str:
    """Steps with a script and a checklist each; every tenth also a decision whose branches rejoin."""
    parts = ["---\ntitle: A very long process\nkind: process\n---\n\nFollow every step.\n"]
    for n in range(steps):
        parts.append(f'## Step {n} {{#s{n}}}\n\n> **Say:** "This is step {n}."\n\n- [ ] Checked {n}\n')
        if n % 10 == 9 and n + 2 < steps:
            parts.append(
                f"\nWhich applies?\n\n- **Yes** → [Step {n + 1}](#s{n + 1})\n- **No** → [Step {n + 2}](#s{n + 2})\n"
            )
        parts.append("\n")
    return "".join(parts)
