"""Chart templates: a chart's shape built once with Altair, then filled with each state's data.

A template is the Vega-Lite spec of a chart whose layers name their data
(`{"name": ...}`) instead of holding it, and whose y range is a hole. Filling
it puts each state's rows into the layers that name them, sets the y range and
the text alternative, and gives exactly the spec that building the chart of
that state with its rows inline gives, without any Altair. The page and the
export fill the same templates. No Streamlit in here.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import altair as alt

# Builders put this y range where the state's goes; `Template.of` finds it.
# Far outside any real range, so it cannot be mistaken for one.
Y_DOMAIN_HOLE = (-1.2345e300, 1.2345e300)

Datasets = dict[str, list[dict]]
# Where a layer's rows come from: a named dataset in a template, the rows themselves in a fresh build.
DataSource = Callable[[str], "alt.NamedData | alt.Data"]


def rows_of(datasets: Datasets) -> DataSource:
    """Layers that hold their rows: how a chart is built afresh, to check a filled template against."""
    import altair as alt

    return lambda name: alt.Data(values=datasets[name])


@dataclass(frozen=True)
class Template:
    text: str  # the spec as JSON: every fill parses a fresh copy, so no caller can change the template
    data_names: frozenset[str]
    y_domain_layers: tuple[int, ...]  # layers whose y scale domain is the state's y range

    @classmethod
    def of(cls, chart: alt.TopLevelMixin) -> Template:
        # validate=False: the builders are fixed code, validated by the tests.
        spec = chart.to_dict(validate=False)
        layers = spec.get("layer", [])
        names = frozenset(node["data"]["name"] for node in [spec, *layers] if "name" in node.get("data", {}))
        holes = tuple(
            index for index, layer in enumerate(layers)
            if layer.get("encoding", {}).get("y", {}).get("scale", {}).get("domain") == list(Y_DOMAIN_HOLE)
        )
        return cls(json.dumps(spec), names, holes)

    def fill(self, datasets: Datasets, description: str, y_domain: tuple[float, float] | None = None) -> dict:
        """The spec of one state: this shape with its rows inline, its y range and its text alternative."""
        if set(datasets) != self.data_names:
            raise ValueError(f"the chart reads {sorted(self.data_names)}, not {sorted(datasets)}")
        if (y_domain is None) != (not self.y_domain_layers):
            raise ValueError("a y range is needed exactly where the chart has a hole for one")
        spec = json.loads(self.text)
        for node in [spec, *spec.get("layer", [])]:
            if "name" in node.get("data", {}):
                node["data"] = {"values": datasets[node["data"]["name"]]}
        spec["description"] = description
        for index in self.y_domain_layers:
            spec["layer"][index]["encoding"]["y"]["scale"]["domain"] = [float(y_domain[0]), float(y_domain[1])]
        return spec
