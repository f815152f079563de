"""Pictures of a scenario's node graph: Graphviz when present, matplotlib, or an outline."""

from __future__ import annotations

import pytest

from coproduction.scenario import graph


def test_edges_mark_what_depends_on_the_play(stateful_scenario):
    edges = graph.edges(stateful_scenario)
    assert ("first", "second", "meet", False) in edges
    assert ("second", "good", "walk", True) in edges and ("second", "middle", "walk", True) in edges
    assert ("second", "bad", "close", False) in edges


def test_outline_names_conditions(stateful_scenario):
    text = graph.to_text(stateful_scenario)
    assert "walk (offered when met-tenants), stance +2:" in text
    assert "-> good  if trust >= 3" in text
    assert "-> middle  otherwise" in text
    assert "-> middle  if (mean stance >= 0 and trust >= 1)" in text
    assert "good [ending (partner)]" in text


def test_dot_is_quoted(stateful_scenario):
    from dataclasses import replace

    odd = replace(stateful_scenario, title='A "quoted" title')
    dot = graph.to_dot(odd)
    assert dot.startswith('digraph "stateful" {')
    assert '"second" -> "good" [label="walk", fontsize=9, style=dashed];' in dot


def test_png_without_graphviz_is_drawn_by_matplotlib(stateful_scenario, tmp_path, monkeypatch):
    monkeypatch.setattr(graph.shutil, "which", lambda _name: None)
    out, how = graph.write(stateful_scenario, tmp_path / "g.png")
    assert how == "matplotlib"
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_svg_without_graphviz_falls_back_to_an_outline(stateful_scenario, tmp_path, monkeypatch):
    monkeypatch.setattr(graph.shutil, "which", lambda _name: None)
    out, how = graph.write(stateful_scenario, tmp_path / "g.svg")
    assert out.suffix == ".txt" and "Graphviz is not installed" in how
    assert "stateful: A scenario that remembers" in out.read_text()


def test_svg_with_graphviz(stateful_scenario, tmp_path):
    if graph.shutil.which("dot") is None:
        pytest.skip("Graphviz's dot is not installed on this machine")
    out, how = graph.write(stateful_scenario, tmp_path / "g.svg")
    assert how == "Graphviz" and "<svg" in out.read_text()


def test_unknown_format(stateful_scenario, tmp_path):
    with pytest.raises(ValueError, match=r"cannot write a graph as '\.jpg'"):
        graph.write(stateful_scenario, tmp_path / "g.jpg")
