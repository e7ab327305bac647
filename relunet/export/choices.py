"""What the export panel may offer, derived from the one limits table
(relunet.bounds) and the export's own rules, so every choice it offers is one
the export accepts: the same limits the command line and the URL obey."""

from __future__ import annotations

import math

from relunet.bounds import BOUNDS, MAX_TOTAL_MEGAPIXELS, STAGE_COUNT

# The panel asks for one hold; the final curve stays this much longer.
FINAL_HOLD_FACTOR = 2.5
HOLD_STEP_S = 0.5
PANEL_HOLD_MIN_S = 0.5  # shorter than this is too quick to say a sentence


def max_tween(width: int, height: int) -> int:
    """The most in-between frames per transition a width × height export may
    have: within the tween bound and the megapixel limit on all frames."""
    tween = BOUNDS["tween"]
    frames_allowed = MAX_TOTAL_MEGAPIXELS * 1_000_000 // (width * height)
    by_pixels = (frames_allowed - STAGE_COUNT) // (STAGE_COUNT - 1)
    return int(max(tween.low, min(tween.high, by_pixels)))


def hold_range() -> tuple[float, float]:
    """The seconds on each stage the panel offers, in HOLD_STEP_S steps: both
    the hold and the final hold (FINAL_HOLD_FACTOR times it) in their bounds."""
    hold, final = BOUNDS["hold"], BOUNDS["final_hold"]
    low = max(PANEL_HOLD_MIN_S, hold.low, final.low / FINAL_HOLD_FACTOR)
    high = min(hold.high, final.high / FINAL_HOLD_FACTOR)
    return math.ceil(low / HOLD_STEP_S) * HOLD_STEP_S, math.floor(high / HOLD_STEP_S) * HOLD_STEP_S


def hold_ms(seconds: float) -> tuple[int, int]:
    """(hold, final hold) in milliseconds for the panel's seconds on each stage."""
    return int(round(seconds * 1000)), int(round(seconds * FINAL_HOLD_FACTOR * 1000))
