"""What a note or a document may make the reader's browser load, and which ids it may use."""

from __future__ import annotations

import re

import pytest

from guidance.content.render import ImagePolicy, render, render_inline, render_note

DOCUMENTS = ImagePolicy(hosts=frozenset({"images.example.com"}))


def images(html: str) -> list[str]:
    return re.findall(r'<img [^>]*src="([^"]*)"', str(html))


def links(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<a href="([^"]*)"[^>]*>([^<]*)</a>', str(html))


@pytest.mark.parametrize(
    "source",
    [
        "![](/notifications)",
        "![open](/search?q=wire)",
        '<img src="/notifications">',
        "<IMG SRC=/notifications>",
        '<p>a <img alt="x>y" src="/static/favicon.svg"> b</p>',
        "![](data:image/png;base64,iVBORw0KGgo=)",
        "![](https://images.example.com/a.png)",
    ],
)
def test_a_note_never_holds_an_image(source):
    html = render_note(source)
    assert "<img" not in html.lower()


def test_a_notes_image_becomes_a_link_named_by_its_alt_text_or_its_address():
    assert links(render_note("![](/notifications)")) == [("/notifications", "/notifications")]
    assert links(render_note('See ![the form](https://x.example/f.png "Form")')) == [
        ("https://x.example/f.png", "the form")
    ]
    # a data: address is no place to send anyone: just the words
    html = render_note("![chart](data:image/png;base64,iVBORw0KGgo=)")
    assert "chart" in html and "data:" not in html


def test_a_note_has_no_ids_to_collide_with_the_pages():
    html = render_note("## Tip {#note-body}\n\n### Another\n\n[x](#note-body){#feedback}")
    assert " id=" not in html
    assert "<h2>Tip</h2>" in html and "<h3>Another</h3>" in html


@pytest.mark.parametrize(
    ("src", "kept"),
    [
        ("/static/favicon.svg", True),
        ("/static/img/logo-2.png", True),
        ("data:image/png;base64,iVBORw0KGgo=", True),
        ("https://images.example.com/a.png", True),
        ("https://IMAGES.example.com/a.png", True),
        ("http://images.example.com/a.png", False),
        ("https://images.example.com:8443/a.png", False),
        ("https://user@images.example.com/a.png", False),
        ("https://evil.example/a.png", False),
        ("//images.example.com/a.png", False),
        ("/static/../notifications", False),
        ("/static/%2e%2e/notifications", False),
        ("/static/a.png?x=1", False),
        ("/notifications", False),
        ("/search?q=wire", False),
        ("x", False),
        ("data:text/html;base64,PHNjcmlwdD4=", False),
    ],
)
def test_a_document_keeps_only_its_own_static_files_data_images_and_listed_hosts(src, kept):
    html = render(f"![a picture]({src})", images=DOCUMENTS).html
    if kept:
        assert images(html) == [src.replace("&", "&amp;")]
    else:
        assert images(html) == []
        assert "a picture" in html


def test_raw_html_images_in_documents_follow_the_same_rules():
    html = render(
        '<img src="x" alt="" onerror="alert(1)">\n\n<img src="/static/favicon.svg" alt="logo">', images=DOCUMENTS
    ).html
    assert images(html) == ["/static/favicon.svg"]
    assert "onerror" not in html and links(html) == [("x", "x")]


def test_without_a_policy_nothing_loads_and_inline_text_follows_it_too():
    assert images(render("![a](/static/favicon.svg)").html) == []
    assert images(render_inline("Say ![a](/static/favicon.svg)", images=DOCUMENTS)) == ["/static/favicon.svg"]
    assert images(render_inline("Say ![a](/notifications)", images=DOCUMENTS)) == []


def test_a_data_link_is_never_a_link():
    html = render("[click](data:text/html;base64,PHNjcmlwdD4=)", images=DOCUMENTS).html
    assert "data:" not in html and "click" in html


def test_document_headings_keep_their_ids_for_the_table_of_contents():
    rendered = render("## Passcode {#passcode}\n\ntext", images=DOCUMENTS)
    assert '<h2 id="passcode">' in rendered.html and rendered.toc[0]["id"] == "passcode"
