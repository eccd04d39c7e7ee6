"""Images in documents load from this site's /static/, data: or hosts an admin listed; else a link."""

from __future__ import annotations

import re

import pytest

from tests.conftest import Session, close, make_app

PAGE = """# Pictures

![local](/static/favicon.svg)

![listed](https://images.example.com/card.png)

![tracker](https://tracker.example/pixel.gif)

![action](/notifications)
"""
PROCESS = (
    "---\nkind: process\n---\n## Look {#look}\n\n![listed](https://images.example.com/step.png)\n\n"
    "![tracker](https://tracker.example/step.gif)\n\n- [ ] ![x](/notifications) ticked\n"
)


def images(page: str) -> list[str]:
    return re.findall(r'<img [^>]*src="([^"]*)"', page)


@pytest.fixture
def library(tmp_path):
    folder = tmp_path / "library"
    folder.mkdir()
    (folder / "pictures.md").write_text(PAGE)
    (folder / "look.md").write_text(PROCESS)
    return folder


def reader(data_dir, library, **config):
    app = make_app(data_dir, **config)
    app.test_cli_runner().invoke(args=["guidance", "import", str(library)])
    session = Session(app.test_client())
    session.login("agent")
    return app, session


@pytest.mark.parametrize(
    ("hosts", "expected"),
    [
        ("", ["/static/favicon.svg"]),
        ("images.example.com, other.example", ["/static/favicon.svg", "https://images.example.com/card.png"]),
    ],
)
def test_only_local_and_listed_images_load_the_rest_are_links(data_dir, library, hosts, expected):
    app, agent = reader(data_dir, library, IMAGE_HOSTS=hosts)
    try:
        response = agent.get("/d/pictures")
        page = response.get_data(as_text=True)
        assert images(page) == expected
        assert '<a href="https://tracker.example/pixel.gif" rel="noopener noreferrer">tracker</a>' in page
        assert '<a href="/notifications" rel="noopener noreferrer">action</a>' in page
        csp = response.headers["Content-Security-Policy"]
        img_src = re.search(r"img-src ([^;]*)", csp).group(1).split()
        assert img_src == ["'self'", "data:"] + [f"https://{h.strip()}" for h in hosts.split(",") if h.strip()]
        step = agent.get("/d/look").get_data(as_text=True)
        assert images(step) == (["https://images.example.com/step.png"] if hosts else [])
        assert "tracker.example/step.gif</a>" not in step and ">tracker</a>" in step
    finally:
        close(app)


def test_a_host_list_that_could_widen_the_policy_is_refused_at_start(data_dir):
    with pytest.raises(ValueError, match="IMAGE_HOSTS"):
        make_app(data_dir, IMAGE_HOSTS="images.example.com; script-src *")
