"""Chart templates: a chart's shape built once with Altair, then filled with each state's data.

A template is the Vega-Lite spec of a chart whose layers read named datasets
(`{"name": ...}`, values in the top-level `datasets`) and whose y range is a
hole. Filling it sets the datasets, the y range and the description, so a new
state costs no Altair at all. The page and the export fill the same templates.
No Streamlit in here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import altair as alt

# Builders put this y range where the state's goes; `Template.of` finds it.
# Far outside any real range, so it cannot be mistaken for one.
Y_DOMAIN_HOLE = (-1.2345e300, 1.2345e300)

Datasets = dict[str, list[dict]]


@dataclass(frozen=True)
class Template:
    text: str  # the spec as JSON: every fill parses a fresh copy, so no caller can change the template
    y_domain_layers: tuple[int, ...]  # layers whose y scale domain is the state's y range

    @classmethod
    def of(cls, chart: alt.TopLevelMixin) -> Template:
        # validate=False: the builders are fixed code, validated by the tests.
        spec = chart.to_dict(validate=False)
        holes = tuple(
            index for index, layer in enumerate(spec.get("layer", []))
            if layer.get("encoding", {}).get("y", {}).get("scale", {}).get("domain") == list(Y_DOMAIN_HOLE)
        )
        return cls(json.dumps(spec), holes)

    def fill(self, datasets: Datasets, description: str, y_domain: tuple[float, float] | None = None) -> dict:
        """The spec of one state: this shape with its data, y range and text alternative."""
        spec = json.loads(self.text)
        spec["datasets"] = datasets
        spec["description"] = description
        if y_domain is not None:
            if not self.y_domain_layers:
                raise ValueError("this template has no y range to fill")
            for index in self.y_domain_layers:
                spec["layer"][index]["encoding"]["y"]["scale"]["domain"] = [float(y_domain[0]), float(y_domain[1])]
        return spec



def inline_datasets(spec: dict) -> dict:
    """The same chart with each layer's rows inline instead of in named datasets.

    The page sends charts this way: Streamlit ships named datasets as Arrow,
    and building Arrow from rows imports pandas (most of a second on the first
    click) and costs several ms a chart; inline rows are plain JSON."""
    datasets = spec.get("datasets", {})

    def inline(node: dict) -> dict:
        data = node.get("data")
        if isinstance(data, dict) and data.get("name") in datasets:
            return {**node, "data": {"values": datasets[data["name"]]}}
        return node

    result = {key: value for key, value in inline(spec).items() if key != "datasets"}
    if "layer" in result:
        result["layer"] = [inline(layer) for layer in result["layer"]]
    return result
