"""Fuzzing with hypothesis: arbitrary links into the parser and the page, arbitrary
argument lists into the export command line. Nothing may raise, everything
accepted stays in bounds, everything rejected is reported."""

import contextlib
import io
import math
import os
import tempfile

from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from PIL import Image
from streamlit.testing.v1 import AppTest

from relunet.export.cli import main as export_main
from relunet.network import PARAM_NAMES
from relunet.state import DEFAULT_STATE, SETTINGS, SETTINGS_BY_NAME, PageState, parse_query
from ui.lesson import without_negative_zero

APP = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "streamlit_app.py")
NAMES = [s.name for s in SETTINGS]
DEFAULTS = DEFAULT_STATE.values()


# --- what a link can carry ----------------------------------------------------


def near(bound: float) -> list[str]:
    """Texts just inside, on and just outside a bound."""
    return [repr(bound), repr(math.nextafter(bound, math.inf)), repr(math.nextafter(bound, -math.inf)),
            f"{bound:g}", f"{bound:+.10f}", f"{bound:e}"]


NEAR_BOUNDS = sorted({text for s in SETTINGS if s.low is not None for b in (s.low, s.high) for text in near(b)})
SPECIAL_TEXTS = [
    "", " ", "nan", "NaN", "-nan", "inf", "-inf", "Infinity", "1e308", "1e309", "-1e309", "1e-400", "9" * 40,
    "0x10", "1_000", "1,5", "٣", "３", "½", "1e", ".", "-", "+.5", " 7 ", "7\n", "\x00", "relu", "SoftPlus",
    "<script>alert(1)</script>", "`stage`", "*bold*", "1" * 5000,
]
value_texts = st.one_of(
    st.sampled_from(SPECIAL_TEXTS + NEAR_BOUNDS),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.text(max_size=40),
)
query_values = st.one_of(value_texts, st.lists(value_texts, max_size=3))  # a list: a key repeated in the link
query_keys = st.one_of(st.sampled_from(NAMES), st.sampled_from([n.upper() for n in NAMES]), st.text(max_size=12))
queries = st.dictionaries(query_keys, query_values, max_size=6)


def interpretation(name: str, text: str) -> object:
    """What an accepted text must have been read as."""
    setting = SETTINGS_BY_NAME[name]
    if setting.choices:
        return text.strip().lower()
    return setting.kind(float(text)) if setting.kind is float else int(text)


def assert_in_bounds(values: dict) -> None:
    for setting in SETTINGS:
        value = values[setting.name]
        if setting.choices:
            assert value in setting.choices, (setting.name, value)
        else:
            assert isinstance(value, setting.kind) and not isinstance(value, bool), (setting.name, value)
            assert math.isfinite(value) and setting.low <= value <= setting.high, (setting.name, value)


def texts_given(query: dict, name: str) -> list[str]:
    raw = query.get(name, [])
    return [raw] if isinstance(raw, str) else list(raw)


# --- the parser ----------------------------------------------------------------


@given(queries)
@settings(max_examples=400, deadline=None)
def test_parser_accepts_only_in_bounds_values_and_reports_every_rejection(query):
    state, warnings = parse_query(query)

    values = state.values()
    assert_in_bounds(values)
    for name in NAMES:
        texts = texts_given(query, name)
        about_it = [w for w in warnings if f"`{name}`" in w]
        if not texts:
            assert values[name] == DEFAULTS[name] and about_it == []
            continue
        if len(texts) > 1:
            assert any("times" in w for w in about_it), about_it
        ignored = [w for w in about_it if w.startswith(f"Ignored `{name}`")]
        if ignored:
            assert len(ignored) == 1 and values[name] == DEFAULTS[name]
        else:
            assert values[name] == interpretation(name, texts[-1]), (name, texts[-1])
    # Every warning is about a setting, and none echoes markup back from the link.
    for warning in warnings:
        assert any(f"`{name}`" in warning for name in NAMES), warning
        assert "<" not in warning and ">" not in warning, warning


def valid_texts(setting) -> st.SearchStrategy[str]:
    if setting.choices:
        return st.sampled_from(setting.choices).flatmap(
            lambda choice: st.sampled_from([choice, choice.upper(), choice.title(), f" {choice} "]))
    if setting.kind is int:
        numbers = st.integers(int(setting.low), int(setting.high))
        return st.tuples(numbers, st.sampled_from(["{}", "+{}", "0{}", " {} "])).map(lambda p: p[1].format(p[0]))
    numbers = st.floats(setting.low, setting.high)
    formats = st.sampled_from([repr, "{:g}".format, "{:.3f}".format, "{:+.2e}".format, lambda x: f" {x!r} "])
    return st.tuples(numbers, formats).map(lambda p: p[1](p[0]))


def invalid_texts(setting) -> st.SearchStrategy[str]:
    if setting.choices:
        return st.text(max_size=20).filter(lambda t: t.strip().lower() not in setting.choices)
    outside = st.one_of(
        st.floats(max_value=setting.low, exclude_max=True, allow_infinity=False),
        st.floats(min_value=setting.high, exclude_min=True, allow_infinity=False),
    )
    words = st.sampled_from(["nan", "inf", "-Infinity", "1e999", "ten", "", "0x1", "1_0", "<b>1</b>", "9" * 33])
    return st.one_of(outside.map(repr), words)


@given(st.data())
@settings(max_examples=200, deadline=None)
def test_parser_reads_every_valid_value_and_rejects_every_invalid_one(data):
    setting = data.draw(st.sampled_from(SETTINGS))
    good = data.draw(valid_texts(setting), label="valid")
    state, warnings = parse_query({setting.name: good})
    assert warnings == []
    assert state.values()[setting.name] == interpretation(setting.name, good)

    bad = data.draw(invalid_texts(setting), label="invalid")
    state, warnings = parse_query({setting.name: bad})
    assert len(warnings) == 1 and warnings[0].startswith(f"Ignored `{setting.name}`")
    assert state.values()[setting.name] == DEFAULTS[setting.name]


# --- the page --------------------------------------------------------------------

page_queries = st.dictionaries(st.sampled_from(NAMES + ["embed", "x"]), query_values, max_size=4)


@given(page_queries)
@example({"stage": ["3", "5"]})  # a repeated key must not stay in the address bar
@example({"mode": "predict", "stage": "4"})  # practice: a later stage waits, the probe slider is not drawn
@example({"w1": "1" * 5000, "act": "<script>alert(1)</script>", "probe": "nan"})
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_page_survives_any_link_and_keeps_its_widgets_in_bounds(query):
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()

    assert not at.exception, at.exception
    values = {name: at.number_input(key=name).value for name in PARAM_NAMES}
    # The probe slider is not drawn while a practice question is open (its values would give answers away).
    probe = at.slider(key="probe").value if any(s.key == "probe" for s in at.slider) else at.session_state["probe"]
    values |= {"stage": at.session_state["stage"], "act": at.radio(key="act").value, "probe": probe,
               "mode": at.radio(key="mode").value}
    for setting in SETTINGS:  # settings held by toggles rather than the widgets above
        if setting.name not in values:
            held = at.session_state[setting.name]
            values[setting.name] = held if setting.choices else setting.kind(held)
    assert_in_bounds(values)
    expected_state, expected_warnings = parse_query(query)
    # The widgets show two decimals, so a negative weight too small to show is read as 0 (never "-0.00").
    expected_state = PageState.from_values(
        {**expected_state.values(), **{name: without_negative_zero(getattr(expected_state.params, name))
                                       for name in PARAM_NAMES}}
    )
    assert values == expected_state.values()
    assert [w.value for w in at.warning] == expected_warnings
    # After one run the address bar holds exactly the page's state, once per setting.
    shown = {key: value for key, value in at.query_params.items() if key in SETTINGS_BY_NAME}
    assert all(isinstance(value, str) for value in shown.values()), shown
    assert parse_query(shown) == (expected_state, [])


# --- the export command line -----------------------------------------------------

WEIGHT_FLAGS = ["--w1", "--b1", "--w2", "--b2", "--w3", "--w4", "--b3"]
TIME_FLAGS = ["--hold", "--final-hold", "--tween-time"]
SMALL_RUN = ["--width", "160", "--height", "90", "--tween", "0"]  # valid runs render 7 tiny frames

weight_values = st.one_of(st.sampled_from(near(100.0) + near(-100.0) + ["nan", "inf", "-0", "1e309", "", "1,5"]),
                          st.floats(-150, 150).map(repr))
time_values = st.sampled_from(["0.02", "0.019", "60", "60.01", "0", "-1", "nan", "inf", "1", "0.5", "1.0", "2s", ""])
flag_pairs = st.one_of(
    st.tuples(st.sampled_from(WEIGHT_FLAGS), weight_values),
    st.tuples(st.sampled_from(TIME_FLAGS), time_values),
    # Valid sizes stay tiny; the rest are out of range or not whole numbers.
    st.tuples(st.sampled_from(["--width", "--height"]),
              st.sampled_from(["160", "161", "0", "-1", "89", "159", "1921", "1081", "1e3", "160.0", "abc", ""])),
    st.tuples(st.just("--tween"), st.sampled_from(["0", "-1", "31", "0.5", "x", "", "1e1"])),
    st.tuples(st.just("--activation"), st.sampled_from(["relu", "softplus", "tanh", "ReLU", ""])),
    st.tuples(st.sampled_from(["--width=", "--w1=", "--tween="]), st.text(max_size=6)).map(lambda p: (p[0] + p[1],)),
)
# Any other token, except one naming --out (argparse takes the last --out, and
# this test owns the output file).
junk_tokens = st.one_of(
    st.sampled_from(["--bogus", "-x", "--", "-", "-h", "--help", "--he", "--w", "--width", "--final", "@args"]),
    st.text(max_size=12),
).filter(lambda token: not token.startswith("--o")).map(lambda token: (token,))
argument_lists = st.lists(st.one_of(flag_pairs, junk_tokens), max_size=3).map(
    lambda parts: [token for part in parts for token in part])

EXISTING = b"existing slide deck - must survive a failed export"


@given(argument_lists)
@example([])
@example(["--w1", "nan"])
@example(["--width", "1921"])
@example(["stray\nargument"])  # the error message must stay one line
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_export_cli_exits_cleanly_and_never_leaves_a_broken_file(extra_arguments):
    with tempfile.TemporaryDirectory() as folder:
        target = os.path.join(folder, "slides.gif")
        with open(target, "wb") as existing:
            existing.write(EXISTING)
        stdout, stderr = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            try:
                code = export_main(["--out", target, *SMALL_RUN, *extra_arguments])
            except SystemExit as exit_:
                code = exit_.code

        errors = stderr.getvalue()
        event(f"exit {code}" + (" (help)" if "usage:" in stdout.getvalue() else ""))
        assert code in (0, 2), (code, errors)
        assert "Traceback" not in errors
        assert os.listdir(folder) == ["slides.gif"]  # no temporary file left behind
        with open(target, "rb") as result:
            written = result.read()
        if code == 2:
            assert errors.count("\n") == 1 and "error" in errors, errors  # one line, says what is wrong
            assert written == EXISTING
        elif "usage:" in stdout.getvalue():
            assert written == EXISTING  # --help writes nothing
        else:
            with Image.open(target) as gif:
                assert gif.format == "GIF" and gif.n_frames >= 7 and gif.info["loop"] == 0
