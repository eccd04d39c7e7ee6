"""The call summary an agent pastes into the CRM when a process is finished: plain text, short."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..content import ParsedDocument
from ..content.placeholders import fill_text
from ..content.plaintext import to_plain_text
from ..models import GuideRun


@dataclass
class WrapUp:
    process: str
    decisions: list[tuple[str, str]] = field(default_factory=list)  # (question, answer chosen)
    ticked: list[str] = field(default_factory=list)
    outcome: str = ""
    steps_visited: int = 0

    @property
    def text(self) -> str:
        lines = [f"Process: {self.process}"]
        if self.decisions:
            lines.append("Decisions:")
            lines += [
                f"- {question}{'' if question.endswith('?') else ':'} {answer}" for question, answer in self.decisions
            ]
        if self.ticked:
            lines.append("Checked:")
            lines += [f"- {item}" for item in self.ticked]
        if self.outcome:
            lines.append(f"Outcome: {self.outcome}")
        return "\n".join(lines)


def _plain(markdown_text: str, values: dict[str, str]) -> str:
    return " ".join(fill_text(to_plain_text(markdown_text), values).split())


def wrap_up(run: GuideRun, doc: ParsedDocument, title: str) -> WrapUp:
    """What happened in `run`: the answers on the path it ended on (Back undoes an answer), the
    items ticked on any step it showed, the step it finished at, how many different steps it showed."""
    values = run.context or {}
    trail = list(run.trail or [])
    summary = WrapUp(process=title, steps_visited=len(set(run.visited or [])))
    for position, step_id in enumerate(trail[:-1]):
        step = doc.step(step_id)
        if step is None or not step.is_decision:
            continue
        chosen = (run.answers or {}).get(step_id)
        following = trail[position + 1]
        if chosen is None or not 0 <= chosen < len(step.choices) or step.choices[chosen].target != following:
            # A run from before answers were kept: the answer that leads where the agent went.
            chosen = next((i for i, choice in enumerate(step.choices) if choice.target == following), None)
        if chosen is not None:
            summary.decisions.append((step.title, _plain(step.choices[chosen].answer, values)))
    for step_id in dict.fromkeys(run.visited or []):
        step = doc.step(step_id)
        ticks = (run.checked or {}).get(step_id, [])
        if step is not None:
            summary.ticked += [_plain(step.checklist[i], values) for i in ticks if 0 <= i < len(step.checklist)]
    last = doc.step(trail[-1]) if trail else None
    summary.outcome = last.title if last is not None else ""
    return summary
