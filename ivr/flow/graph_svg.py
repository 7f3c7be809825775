"""Draw a :class:`~ivr.flow.graph.Layout` as self-contained SVG or HTML.

No Graphviz and no web fonts: the SVG names the CJK fonts ops machines
usually have (Noto Sans CJK, Microsoft YaHei, PingFang, WenQuanYi) and falls
back to the browser's sans-serif. Edges are drawn first and boxes over them,
so a long edge passes behind the columns it skips; labels come last, at the
edge's start, where the ports of one box keep them apart.
"""

from __future__ import annotations

from collections import defaultdict
from html import escape

from ivr.flow.graph import (
    BOX_WIDTH,
    FONT_SIZE,
    LINE_HEIGHT,
    TITLE_HEIGHT,
    Box,
    Edge,
    Layout,
    text_width,
)

__all__ = ["render_html", "render_svg"]

FONTS = (
    "'Noto Sans CJK SC', 'Source Han Sans SC', 'Microsoft YaHei', "
    "'PingFang SC', 'WenQuanYi Micro Hei', sans-serif"
)
KIND_FILL = {
    "greeting": "#e3f0fb",
    "announcement": "#f3f3f3",
    "menu": "#fff3cf",
    "hours": "#e4f5e7",
    "queue": "#e2ebff",
    "goodbye": "#fbe3e3",
}
EDGE_STYLE = {
    "key": ("#333333", ""),
    "next": ("#333333", ""),
    "campaign": ("#d35400", "6 3"),
    "failure": ("#999999", "3 3"),
    "open": ("#2e8b57", ""),
    "closed": ("#b03a2e", ""),
}
_PAD = 8.0

_Ports = dict[tuple[str, str, str], tuple[float, float]]


def render_svg(layout: Layout) -> str:
    """The whole picture as one SVG document."""
    ports = _ports(layout)
    parts = [
        _header(layout),
        *(_edge_path(edge, ports) for edge in layout.edges),
        *(_box(box) for box in layout.boxes.values()),
        *(_edge_label(edge, ports) for edge in layout.edges),
        "</svg>",
    ]
    return "\n".join(parts) + "\n"


def render_html(layout: Layout) -> str:
    """An HTML page with the SVG inline and a legend of the edge styles."""
    legend = " ".join(
        f'<span style="color:{colour}">━ {escape(style)}</span>'
        for style, (colour, _) in EDGE_STYLE.items()
    )
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{escape(layout.title)}</title>"
        f"<style>body{{font-family:{FONTS};margin:16px}}"
        ".legend span{margin-right:14px}</style></head><body>"
        f'<h1 style="font-size:18px">{escape(layout.title)}</h1>'
        f'<p class="legend">{legend}; ↩ in a box: a way to a node drawn in '
        "an earlier or the same column</p>\n"
        f"{render_svg(layout)}</body></html>\n"
    )


def _header(layout: Layout) -> str:
    width, height = f"{layout.width:.0f}", f"{layout.height:.0f}"
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" '
        f'font-family="{FONTS}" font-size="{FONT_SIZE:g}">\n'
        f"<title>{escape(layout.title)}</title>\n"
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>'
    )


def _ports(layout: Layout) -> _Ports:
    """Where each edge leaves its source and enters its target.

    A box's outgoing edges are spread down its right side in the order of
    their targets' heights, incoming ones down its left side likewise.
    """
    boxes = layout.boxes
    out: dict[str, list[Edge]] = defaultdict(list)
    into: dict[str, list[Edge]] = defaultdict(list)
    for edge in layout.edges:
        out[edge.source].append(edge)
        into[edge.target].append(edge)
    ports: _Ports = {}
    for node_id, edges in out.items():
        edges.sort(key=lambda edge: _middle(boxes[edge.target]))
        for index, edge in enumerate(edges):
            ports[_key(edge, "out")] = _spread(boxes[node_id], index, len(edges), True)
    for node_id, edges in into.items():
        edges.sort(key=lambda edge: _middle(boxes[edge.source]))
        for index, edge in enumerate(edges):
            ports[_key(edge, "in")] = _spread(boxes[node_id], index, len(edges), False)
    return ports


def _key(edge: Edge, end: str) -> tuple[str, str, str]:
    return (edge.source, f"{edge.target}|{edge.label}", end)


def _middle(box: Box) -> float:
    return box.y + box.height / 2


def _spread(box: Box, index: int, count: int, right: bool) -> tuple[float, float]:
    x = box.x + BOX_WIDTH if right else box.x
    return x, box.y + box.height * (index + 1) / (count + 1)


def _edge_path(edge: Edge, ports: _Ports) -> str:
    (x1, y1), (x2, y2) = ports[_key(edge, "out")], ports[_key(edge, "in")]
    bend = max(40.0, (x2 - x1) / 3)
    colour, dash = EDGE_STYLE[edge.style]
    dashes = f' stroke-dasharray="{dash}"' if dash else ""
    return (
        f'<path d="M{x1:.1f},{y1:.1f} C{x1 + bend:.1f},{y1:.1f} '
        f'{x2 - bend:.1f},{y2:.1f} {x2:.1f},{y2:.1f}" fill="none" '
        f'stroke="{colour}" stroke-width="1.3"{dashes}/>'
        f'<circle cx="{x2:.1f}" cy="{y2:.1f}" r="3" fill="{colour}"/>'
    )


def _edge_label(edge: Edge, ports: _Ports) -> str:
    x, y = ports[_key(edge, "out")]
    colour, _ = EDGE_STYLE[edge.style]
    size = FONT_SIZE - 1
    width = text_width(edge.label, size) + 6
    return (
        f'<rect x="{x + 4:.1f}" y="{y - size - 2:.1f}" width="{width:.1f}" '
        f'height="{size + 4:.1f}" rx="2" fill="#ffffff" fill-opacity="0.85"/>'
        f'<text x="{x + 7:.1f}" y="{y - 2:.1f}" font-size="{size:g}" '
        f'fill="{colour}">{escape(edge.label)}</text>'
    )


def _box(box: Box) -> str:
    fill = KIND_FILL.get(box.kind, "#ffffff")
    head = (
        f'<g><rect x="{box.x:.1f}" y="{box.y:.1f}" width="{BOX_WIDTH:g}" '
        f'height="{box.height:.1f}" rx="6" fill="{fill}" stroke="#555555"/>'
        f'<text x="{box.x + _PAD:.1f}" y="{box.y + 17:.1f}" font-weight="bold" '
        f'font-size="{FONT_SIZE + 1:g}">{escape(box.node_id)}</text>'
        f'<text x="{box.x + BOX_WIDTH - _PAD:.1f}" y="{box.y + 17:.1f}" '
        f'text-anchor="end" fill="#666666">{escape(box.kind)}</text>'
    )
    lines = [*box.lines, *box.notes]
    body = (
        _line(box, index, text, is_note=index >= len(box.lines))
        for index, text in enumerate(lines)
    )
    return head + "".join(body) + "</g>"


def _line(box: Box, index: int, text: str, *, is_note: bool) -> str:
    y = box.y + TITLE_HEIGHT + LINE_HEIGHT * index + 10
    colour = "#7a4f01" if is_note else "#222222"
    shown = _fit(text, BOX_WIDTH - 2 * _PAD)
    return (
        f'<text x="{box.x + _PAD:.1f}" y="{y:.1f}" fill="{colour}">'
        f"{escape(shown)}</text>"
    )


def _fit(text: str, width: float) -> str:
    """``text``, cut with an ellipsis where it would overflow ``width``."""
    if text_width(text) <= width:
        return text
    while text and text_width(text + "…") > width:
        text = text[:-1]
    return text + "…"
