"""GIF encoding: one shared palette for every frame, exact colours kept,
frames as palette indices, encoded by imageio's Pillow plugin. numpy and
imageio are imported when first used."""

from __future__ import annotations


def gif_delay(ms: int) -> int:
    """GIF delays are whole hundredths of a second, and browsers slow any
    delay under 20 ms down to 100 ms."""
    return max(20, round(ms / 10) * 10)


def shared_palette(images: list) -> bytes:
    """256 RGB colours for every frame: the ones the held frames use most.
    Flat areas and text are exact colours there, so they stay flat; only
    rare anti-aliasing shades snap to a near colour (no dithering)."""
    import numpy as np

    pixels = np.concatenate([np.asarray(im)[::2, ::2].reshape(-1, 3) for im in images]).astype(np.uint32)
    keys = (pixels[:, 0] << 16) | (pixels[:, 1] << 8) | pixels[:, 2]
    colours, counts = np.unique(keys, return_counts=True)
    top = colours[np.argsort(-counts, kind="stable")[:256]]
    top = np.concatenate([top, np.setdiff1d(np.arange(256, dtype=np.uint32), top)[: 256 - top.size]])
    rgb = np.stack([(top >> 16) & 255, (top >> 8) & 255, top & 255], axis=1).astype(np.uint8)
    return rgb.tobytes()


class PaletteMap:
    """Frames to palette indices: exact colours map to themselves, any other
    colour to its nearest palette entry, no dithering. (Pillow's quantize
    looks colours up in a coarse cube, which turns pure white into 252.)"""

    def __init__(self, palette: bytes):
        import numpy as np

        self._colours = np.frombuffer(palette, dtype=np.uint8).reshape(-1, 3).astype(np.int32)
        self._lookup = np.full(1 << 24, -1, dtype=np.int16)  # filled in as colours turn up

    def indices(self, image):
        """Palette indices of an image, or of an (..., 3) array of RGB pixels."""
        import numpy as np

        rgb = np.asarray(image, dtype=np.uint8)
        keys = (rgb[..., 0].astype(np.uint32) << 16) | (rgb[..., 1].astype(np.uint32) << 8) | rgb[..., 2]
        found = self._lookup[keys]
        if (found < 0).any():
            new = np.unique(keys[found < 0])
            new_rgb = np.stack([(new >> 16) & 255, (new >> 8) & 255, new & 255], axis=1).astype(np.int32)
            distances = ((new_rgb[:, None, :] - self._colours[None, :, :]) ** 2).sum(axis=2)
            self._lookup[new] = distances.argmin(axis=1)
            found = self._lookup[keys]
        return found.astype(np.uint8)


def encode_gif(indexed_frames: list, durations_ms: list[int], palette: bytes) -> bytes:
    """An endlessly looping GIF of palette-index frames sharing one global
    palette; every frame opaque (no transparency index)."""
    import imageio.v3 as iio

    return iio.imwrite(
        "<bytes>", indexed_frames, extension=".gif", palette=palette,
        duration=[gif_delay(d) for d in durations_ms], loop=0, optimize=False, disposal=1,
    )


def frames_in(data: bytes) -> int:
    """Frames the GIF really holds: the encoder merges identical consecutive
    frames into one longer one (a morph that changes nothing, say)."""
    import io

    from PIL import Image

    with Image.open(io.BytesIO(data)) as gif:
        return gif.n_frames
