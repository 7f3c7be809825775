"""``ivr graph``: the layout of the shipped flow and the files it writes."""

from __future__ import annotations

import io
import itertools
import xml.etree.ElementTree as ET
from pathlib import Path

from flow_fakes import MENUS, PROMPTS

from ivr.flow import Flow
from ivr.flow.graph import Layout, lay_out
from ivr.flow.graph_cli import graph_main
from ivr.flow.graph_svg import render_svg
from ivr.flow.reachability import successors
from ivr.prompts import PromptCatalog


def _columns(layout: Layout) -> dict[str, float]:
    return {node_id: box.x for node_id, box in layout.boxes.items()}


def test_every_node_is_a_box_and_every_way_out_is_shown(
    flow: Flow, catalog: PromptCatalog
) -> None:
    """Each successor is a drawn edge or a note in the source's box."""
    layout = lay_out(flow, catalog)

    assert set(layout.boxes) == set(flow.nodes)
    for node in flow.nodes.values():
        drawn = {edge.target for edge in layout.edges if edge.source == node.id}
        noted = {note.rsplit("→ ", 1)[1] for note in layout.boxes[node.id].notes}
        assert set(successors(node)) == drawn | noted, node.id


def test_drawn_edges_go_right_and_boxes_do_not_overlap(
    flow: Flow, catalog: PromptCatalog
) -> None:
    """Edges lead to a later column; boxes of one column are stacked apart."""
    layout = lay_out(flow, catalog)
    x = _columns(layout)

    assert all(x[edge.target] > x[edge.source] for edge in layout.edges)
    by_column: dict[float, list[tuple[float, float]]] = {}
    for box in layout.boxes.values():
        by_column.setdefault(box.x, []).append((box.y, box.y + box.height))
    for spans in by_column.values():
        spans.sort()
        assert all(end < start for (_, end), (start, _) in itertools.pairwise(spans))


def test_keys_campaign_dates_and_failures_label_the_edges(
    flow: Flow, catalog: PromptCatalog
) -> None:
    """Main-menu edges carry their keys, the campaign its key and dates."""
    layout = lay_out(flow, catalog)

    labels = {
        (edge.target, edge.label, edge.style)
        for edge in layout.edges
        if edge.source == "main-menu"
    }
    assert ("social-insurance", "1", "key") in labels
    assert ("campaign-graduates", "9 · 2026-03-30", "campaign") in labels
    assert ("goodbye-no-input", "no input", "failure") in labels
    assert ("goodbye-invalid", "invalid", "failure") in labels


def test_boxes_show_prompt_ids_with_their_first_words(
    flow: Flow, catalog: PromptCatalog
) -> None:
    """A menu box shows its prompt id and the start of its Chinese script."""
    box = lay_out(flow, catalog).boxes["main-menu"]

    assert box.lines[0].startswith("main-menu: 社会保险业务请按1；")
    assert box.lines[1].startswith("2026-03-30: campaign-graduates-menu: 今天是")


def test_svg_is_well_formed_and_holds_the_chinese_text(
    flow: Flow, catalog: PromptCatalog
) -> None:
    """The SVG parses as XML; boxes and labels are in it."""
    svg = render_svg(lay_out(flow, catalog))

    root = ET.fromstring(svg)
    texts = [
        element.text or "" for element in root.iter("{http://www.w3.org/2000/svg}text")
    ]
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert "queue-graduates" in texts
    assert any(text.startswith("main-menu: 社会保险业务") for text in texts)
    assert "9 · 2026-03-30" in texts


def test_graph_writes_html_with_the_svg_inside(tmp_path: Path) -> None:
    """``-o flow.html``: a page with the picture and a legend."""
    target = tmp_path / "flow.html"
    out = io.StringIO()

    status = graph_main(str(MENUS), str(target), str(PROMPTS), out=out)

    page = target.read_text(encoding="utf-8")
    assert status == 0
    assert page.startswith("<!DOCTYPE html>") and "<svg " in page
    assert "campaign" in page and "main-menu" in page
    assert out.getvalue().startswith(f"{target}: {len(list(_nodes()))} nodes")


def _nodes() -> list[str]:
    text = MENUS.read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line.startswith("    kind: ")]


def test_graph_refuses_a_flow_with_errors(tmp_path: Path) -> None:
    """A broken flow is not drawn; its errors are printed, exit 1."""
    broken = tmp_path / "menus.yaml"
    text = MENUS.read_text(encoding="utf-8")
    broken.write_text(text.replace("open: queue-general", "open: nowhere"))
    target = tmp_path / "flow.svg"
    out = io.StringIO()

    status = graph_main(str(broken), str(target), str(PROMPTS), out=out)

    assert status == 1
    assert not target.exists()
    assert "there is no node 'nowhere'" in out.getvalue()


def test_graph_refuses_an_unknown_format(tmp_path: Path) -> None:
    """Only .svg and .html are written."""
    out = io.StringIO()

    status = graph_main(str(MENUS), str(tmp_path / "flow.png"), out=out)

    assert status == 2
    assert "write .svg or .html" in out.getvalue()


def test_ivr_graph_command_writes_the_svg(tmp_path: Path) -> None:
    """``ivr graph menus.yaml -o flow.svg`` is wired to the same code."""
    from ivr.cli import main

    target = tmp_path / "flow.svg"

    status = main(["graph", str(MENUS), "-o", str(target)])

    assert status == 0
    assert ET.parse(target).getroot().tag == "{http://www.w3.org/2000/svg}svg"
