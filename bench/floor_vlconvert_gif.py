"""The least a vl-convert GIF export can cost: the peer's frames (one green line per frame,
the stage curves and straight-line morphs between them), each drawn from a ready-made
Vega spec by vl-convert and written by imageio. No Altair, no slide text, diagram or
annotations, no second process: just the renderer and the encoder relunet is built on.

usage: python bench/floor_vlconvert_gif.py OUT.gif [--tween N] [--width PX] [--height PX]
(the peer's options: frames = 7 × (N + 1))
"""

import argparse
import io

import imageio.v3 as iio
import numpy as np
import vl_convert
from PIL import Image

W1, B1, W2, B2, W3, W4, B3 = 1.70, -0.85, 12.6, 0.0, -40.8, 2.70, -16.0


def curves(x):
    relu1 = np.maximum(0, W1 * x + B1)
    z2 = np.maximum(0, W2 * x + B2)
    return [relu1, relu1 * W3, z2, z2 * W4, relu1 * W3 + z2 * W4, relu1 * W3 + z2 * W4 + B3,
            np.maximum(0, relu1 * W3 + z2 * W4 + B3)]


def spec(x, y, width: int, height: int) -> dict:
    return {
        "width": width, "height": height, "padding": 10, "background": "white",
        "autosize": {"type": "fit", "contains": "padding"},
        "data": [{"name": "curve", "values": [{"x": float(a), "y": float(b)} for a, b in zip(x, y)]}],
        "scales": [{"name": "x", "type": "linear", "domain": [0, 1], "range": "width"},
                   {"name": "y", "type": "linear", "domain": [-60, 40], "range": "height"}],
        "axes": [{"orient": "bottom", "scale": "x", "title": "Dosage"}, {"orient": "left", "scale": "y"}],
        "marks": [{"type": "line", "from": {"data": "curve"}, "encode": {"enter": {
            "x": {"scale": "x", "field": "x"}, "y": {"scale": "y", "field": "y"},
            "stroke": {"value": "green"}, "strokeWidth": {"value": 2}}}}],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--tween", type=int, default=0)
    parser.add_argument("--width", type=int, default=800)
    parser.add_argument("--height", type=int, default=450)
    args = parser.parse_args()
    x = np.linspace(0, 1, 200)
    frames, previous = [], np.zeros_like(x)
    for y in curves(x):
        for k in range(1, args.tween + 1):
            frames.append(previous + (y - previous) * k / (args.tween + 1))
        frames.append(y)
        previous = y
    pictures = [np.asarray(Image.open(io.BytesIO(vl_convert.vega_to_png(spec(x, y, args.width, args.height))))
                           .convert("RGB")) for y in frames]
    iio.imwrite(args.out, pictures, extension=".gif", duration=100, loop=0)
    print(f"{len(pictures)} frames -> {args.out}")


if __name__ == "__main__":
    main()
