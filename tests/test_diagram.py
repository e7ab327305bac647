"""The network diagram as drawn: every label whole, apart from the others and clear of the nodes."""

import pytest

from relunet.bounds import WEIGHT_LIMIT
from relunet.diagram import diagram_spec
from relunet.export.slide import DIAGRAM_STYLE
from relunet.facts import facts_for
from relunet.network import ACTIVATIONS, ARTICLE_PARAMS, PARAM_NAMES, Params
from relunet.stages import STAGES
from relunet.style import PAGE_STYLE, PRESENT_STYLE
from relunet.typeface import text_width


def diagram_label_boxes(spec: dict, width: float | None = None) -> list[tuple[str, float, float, float, float]]:
    """Each diagram label's text and box (left, top, right, bottom) in pixels of the plot, measured
    with the typeface the page and the slides draw it in; drawn `width` px wide (the page stretches it)."""
    width = width or spec["width"]
    boxes = []
    for layer in spec["layer"]:
        mark, encoding = layer["mark"], layer["encoding"]
        if mark["type"] != "text" or encoding["text"]["field"] != "text":
            continue  # the nodes' own inner text sits inside their circles
        (x_low, x_high), (y_low, y_high) = encoding["x"]["scale"]["domain"], encoding["y"]["scale"]["domain"]
        size, bold = mark["fontSize"], mark["fontWeight"] == "bold"
        for row in layer["data"]["values"]:
            px = (row["x"] - x_low) / (x_high - x_low) * width + row["dx"]
            py = (y_high - row["y"]) / (y_high - y_low) * spec["height"]
            wide = text_width(row["text"], size, bold)
            left = px - {"left": 0, "center": wide / 2, "right": wide}[mark["align"]]
            boxes.append((row["text"], left, py - size / 2, left + wide, py + size / 2))
    return boxes


EXTREME_PARAMS = [Params(**{name: sign * WEIGHT_LIMIT for name in PARAM_NAMES}) for sign in (-1, 1)]


@pytest.mark.parametrize("style", [PAGE_STYLE, PRESENT_STYLE, DIAGRAM_STYLE], ids=["page", "present", "slide"])
@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
@pytest.mark.parametrize("params", [ARTICLE_PARAMS, *EXTREME_PARAMS], ids=["article", "all -100", "all +100"])
def test_diagram_labels_stay_whole_and_apart(style, activation, params):
    """The longest weight ("w3 = -100.00") and activation name neither run off the diagram's edge nor onto
    another label or a node, in the page's, the projector's and the slide's sizes; on the page also when the
    diagram is stretched to a wider column (its nodes move apart, its type and circles keep their size)."""
    spec = diagram_spec(facts_for(params, activation), STAGES[6], style, probe=0.5)
    nodes = next(layer for layer in spec["layer"] if layer["mark"]["type"] == "circle")["data"]["values"]
    (x_low, x_high), (y_low, y_high) = (spec["layer"][0]["encoding"][axis]["scale"]["domain"] for axis in "xy")
    radius = style.node_size ** 0.5 / 2
    for width in (spec["width"], spec["width"] * 1.5, spec["width"] * 2):
        boxes = diagram_label_boxes(spec, width)
        assert len(boxes) == 13  # five node names (the output's on two lines), five weights, three biases
        for text, left, top, right, bottom in boxes:
            assert 0 <= left and right <= width and 0 <= top and bottom <= spec["height"], text
            for node in nodes:
                x = (node["x"] - x_low) / (x_high - x_low) * width
                y = (y_high - node["y"]) / (y_high - y_low) * spec["height"]
                out_x, out_y = max(left - x, 0, x - right), max(top - y, 0, y - bottom)
                assert out_x ** 2 + out_y ** 2 >= radius ** 2, f"{text!r} runs into {node['tip']!r}"
        for index, (text, left, top, right, bottom) in enumerate(boxes):
            for other, other_left, other_top, other_right, other_bottom in boxes[index + 1:]:
                apart = right <= other_left or other_right <= left or bottom <= other_top or other_bottom <= top
                assert apart, f"{text!r} overlaps {other!r}"
    inner = next(layer for layer in spec["layer"] if layer["encoding"].get("text", {}).get("field") == "inner")
    for node in inner["data"]["values"]:  # a node's value, in white or black, must not spill out of its circle
        assert text_width(node["inner"], node["inner_size"], bold=True) <= style.node_size ** 0.5 - 4, node["inner"]
