"""The exported MP4 in Chromium: it loads, plays, lasts as long as the animation, and shows
the same picture, in the same colours, as the PNG still of the stage on screen."""

import base64
import io

import numpy as np
from PIL import Image

from relunet.export import ExportSettings
from relunet.export.animation import render_mp4, render_stage_png
from relunet.export.settings import frame_plan
from relunet.network import ARTICLE_PARAMS

SETTINGS = ExportSettings(width=320, height=180, tween=2, processes=1)
ORIGIN = "http://relunet.test"
PAGE = '<video id="movie" muted playsinline src="relu.mp4"></video><canvas id="frame"></canvas>'
WAIT_MS = 30_000  # far beyond loading 100 KB and playing half a second: reaching it means it does not play

LOADED = """async (waitMs) => {
  const movie = document.getElementById("movie");
  await new Promise((loaded, failed) => {
    if (movie.readyState >= 2) return loaded();
    movie.onloadeddata = loaded;
    movie.onerror = () => failed(new Error(`the video did not load (error ${movie.error && movie.error.code})`));
    setTimeout(() => failed(new Error("the video did not load")), waitMs);
  });
  return {width: movie.videoWidth, height: movie.videoHeight, duration: movie.duration};
}"""
FRAME_AT = """async (seconds) => {
  const movie = document.getElementById("movie"), canvas = document.getElementById("frame");
  movie.currentTime = seconds;
  await new Promise((seeked) => { movie.onseeked = seeked; });
  canvas.width = movie.videoWidth;
  canvas.height = movie.videoHeight;
  canvas.getContext("2d").drawImage(movie, 0, 0);
  return canvas.toDataURL("image/png");
}"""
PLAYS = """async (waitMs) => {
  const movie = document.getElementById("movie");
  movie.currentTime = 0;
  await movie.play();
  await new Promise((played, failed) => {
    movie.ontimeupdate = () => { if (movie.currentTime > 0.5) played(); };
    setTimeout(() => failed(new Error(`still at ${movie.currentTime} s`)), waitMs);
  });
  movie.pause();
  return movie.currentTime;
}"""


def rgb(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)


def test_the_mp4_plays_in_the_browser_with_the_stills_colours(browser):
    movie = render_mp4(SETTINGS)
    context = browser.new_context()
    page = context.new_page()
    page.route(f"{ORIGIN}/relu.mp4", lambda route: route.fulfill(body=movie, content_type="video/mp4"))
    page.route(f"{ORIGIN}/", lambda route: route.fulfill(body=PAGE, content_type="text/html"))
    try:
        page.goto(f"{ORIGIN}/")
        shape = page.evaluate(LOADED, WAIT_MS)
        assert (shape["width"], shape["height"]) == (SETTINGS.width, SETTINGS.height)
        total_s = sum(step.duration_ms for step in frame_plan(SETTINGS)) / 1000
        assert abs(shape["duration"] - total_s) <= 1 / 25

        shown = rgb(base64.b64decode(page.evaluate(FRAME_AT, 0.5).split(",", 1)[1]))  # stage 1 is held for 2 s
        still = rgb(render_stage_png(ARTICLE_PARAMS, "relu", 1, SETTINGS.width, SETTINGS.height))
        other = rgb(render_stage_png(ARTICLE_PARAMS, "relu", 4, SETTINGS.width, SETTINGS.height))
        difference = np.abs(shown - still).mean()
        assert difference < 2  # lossy, and decoded by the browser, yet the same picture in the same colours...
        assert np.abs(shown - other).mean() > 3 * difference  # ...and not another stage's

        assert page.evaluate(PLAYS, WAIT_MS) > 0.5
    finally:
        context.close()
