"""Flow maps: Graphviz lays the process out; the SVG that reaches the page is small and safe."""

from __future__ import annotations

import re
import textwrap

import graphviz
import pytest

from guidance.content import parse_document
from guidance.services import flowmaps
from guidance.services.flowmaps import WARNING, MapUnavailable, clean_svg, map_svg

WIRE = "/d/processes/send-wire"


def process(body: str, title: str = "Test"):
    source = f"---\ntitle: {title}\nkind: process\n---\n" + textwrap.dedent(body)
    return parse_document(source, "test.md")[0]


def test_the_map_page_draws_every_step_as_a_link_to_it(agent):
    page = agent.get(f"{WIRE}/map")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "<svg" in body and "<title>Send an international wire transfer</title>" in body
    for step in ("verify", "screen", "escalate", "beneficiary", "send"):
        assert f'<a href="{WIRE}/steps/{step}">' in body
    assert ">Yes</text>" in body and ">No</text>" in body  # branches labelled with their answers
    assert f'href="{WIRE}/map">Map</a>' in agent.get(WIRE).get_data(as_text=True)


def test_policies_have_no_map_and_restricted_processes_stay_hidden(agent):
    assert agent.get("/d/policies/identity-verification/map").status_code == 404
    assert agent.get("/d/processes/senior-override/map").status_code == 404


def test_trouble_is_drawn_in_the_warning_colour():
    svg = map_svg(
        process("""
        ## Start {#start}
        - **Go** → [Nowhere](#nowhere)
        - **End** → [Done](#done)
        ## Orphan {#orphan}
        ## Done {#done .end}
        """),
        lambda step: f"/d/t/steps/{step}",
    )
    assert svg.count(f'fill="{WARNING}"') == 2  # the orphan, and the choice that points nowhere
    assert "cannot be reached" in svg and "no step #nowhere" in svg


def test_hostile_titles_are_text_and_nothing_but_the_allow_list_survives():
    doc = process(
        """
        ## <script>alert(1)</script> " onload="alert(2) {#a}
        ## <img src=x onerror=alert(3)> \\N \\G {#b}
        """,
        title="<svg onload=alert(4)>",
    )
    svg = str(map_svg(doc, lambda step: "javascript:alert(5)" if step == "a" else "//evil.example/x"))
    assert not re.search(r"<(script|img|foreignObject|style)\b", svg)
    tags = re.findall(r"<[a-z]+\b[^>]*>", svg)
    assert not [tag for tag in tags if re.search(r"\s(on\w+|style|id)=", tag)]
    assert "javascript:" not in svg and "evil.example" not in svg
    assert "alert(1)" in svg  # a title keeps its words; its tags were taken off as text (issue 11)


def test_svg_from_anywhere_is_cut_down_to_the_allow_list():
    raw = b"""<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" onload="x()">
      <script>alert(1)</script><style>*{}</style><foreignObject><p>hi</p></foreignObject>
      <g id="graph0" onclick="x()"><a xlink:href="javascript:alert(1)"><text x="1" style="a">t</text></a>
      <a xlink:href="/d/ok/steps/s"><path d="M0,0" onmouseover="x()"/></a></g></svg>"""
    svg = clean_svg(raw)
    assert svg == (
        '<svg xmlns="http://www.w3.org/2000/svg"><g><a><text x="1">t</text></a>'
        '<a href="/d/ok/steps/s"><path d="M0,0" /></a></g></svg>'
    )


def test_each_process_is_drawn_once(monkeypatch):
    calls = []
    real = graphviz.Source.pipe
    monkeypatch.setattr(graphviz.Source, "pipe", lambda self, **kw: calls.append(1) or real(self, **kw))
    doc = process("## Only once, please {#only}\n")
    first, second = map_svg(doc, lambda s: None), map_svg(doc, lambda s: None)
    assert first == second and len(calls) == 1


def test_without_graphviz_the_page_says_so_and_works(agent, monkeypatch):
    def missing(self, **kwargs):
        raise graphviz.ExecutableNotFound(["dot"])

    flowmaps._draw.cache_clear()
    monkeypatch.setattr(graphviz.Source, "pipe", missing)
    page = agent.get(f"{WIRE}/map")
    assert page.status_code == 200 and "Graphviz is not installed" in page.get_data(as_text=True)
    assert agent.get(WIRE).status_code == 200
    flowmaps._draw.cache_clear()


def test_a_huge_process_is_not_drawn():
    doc = process("".join(f"## Step {n} {{#s{n}}}\n" for n in range(flowmaps.MAX_STEPS + 1)))
    with pytest.raises(MapUnavailable, match="too many to draw"):
        map_svg(doc, lambda s: None)
