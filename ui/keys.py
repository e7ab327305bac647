"""Keyboard and presentation-clicker stepping that never loses a press.

The browser counts the presses and sends the stage they lead to, not "one
step": Streamlit merges quick reruns into one, and two merged "next" clicks
would move one stage, but two merged targets still end on the last one. Each
target carries the press's id; the page echoes the last id it applied, so
the browser knows when to take the stage from the page again (after the
buttons, a link or a reset moved it).
"""

import streamlit as st

from relunet.stages import STAGE_COUNT

# Clickers send PageDown/PageUp (some send arrows, "N"/"P" or Space); keyboards add Home/End.
FORWARD_KEYS = ("PageDown", "ArrowRight", " ", "n", "N")
BACK_KEYS = ("PageUp", "ArrowLeft", "p", "P")

_JS = """
export default function (component) {
  const { data: [data], setStateValue } = component;  // a one-item list: see stage_keys
  const keys = (window.__relunetStageKeys ??= { pending: null, sent: null, presses: 0 });
  keys.send = setStateValue;
  keys.count = data.count;
  keys.stage = data.stage;
  if (keys.sent === null || data.applied === keys.sent) keys.pending = null;  // the page caught up
  if (keys.listening) return;
  keys.listening = true;
  const forward = new Set(data.forward), back = new Set(data.back);
  const typing = (element) => element && element.closest &&
    element.closest('input, textarea, select, [contenteditable="true"], [role="slider"], [role="listbox"], ' +
                    '[role="combobox"], [role="spinbutton"], [data-baseweb="select"]');
  const step = (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return null;
    const base = keys.pending ?? keys.stage;
    if (forward.has(event.key)) return Math.min(base + 1, keys.count);
    if (back.has(event.key)) return Math.max(base - 1, 1);
    if (event.key === "Home") return 1;
    if (event.key === "End") return keys.count;
    return null;
  };
  window.addEventListener("keydown", (event) => {
    const target = step(event);
    if (target === null) return;
    event.preventDefault();  // no scrolling, and Space does not also press a focused button
    const base = keys.pending ?? keys.stage;
    if (target === base) return;
    keys.presses += 1;
    keys.sent = `${Date.now()}-${keys.presses}`;
    keys.pending = target;
    keys.send("target", `${target}/${keys.sent}`);
  }, true);
  // Back and Next too: two quick clicks on one button would merge into one step on the server.
  window.addEventListener("click", (event) => {
    const button = event.target.closest && event.target.closest(".st-key-next button, .st-key-back button");
    if (!button || button.disabled) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    const base = keys.pending ?? keys.stage;
    const target = button.closest(".st-key-next") ? Math.min(base + 1, keys.count) : Math.max(base - 1, 1);
    if (target === base) return;
    keys.presses += 1;
    keys.sent = `${Date.now()}-${keys.presses}`;
    keys.pending = target;
    keys.send("target", `${target}/${keys.sent}`);
  }, true);
  window.addEventListener("keyup", (event) => {
    if (event.key === " " && !typing(event.target)) event.preventDefault();
  }, true);
}
"""

_stage_keys = st.components.v2.component("relunet_stage_keys", js=_JS)


def _apply_target() -> None:
    value = st.session_state.stage_keys.get("target") or ""
    stage_text, _, press = str(value).partition("/")
    try:
        target = int(stage_text)
    except ValueError:
        return  # not from our script: ignore it
    st.session_state.stage = min(max(target, 1), STAGE_COUNT)
    st.session_state.applied_press = press


def stage_keys() -> None:
    """Listen for stepping keys anywhere on the page (except while typing in a field)."""
    settings = {"stage": st.session_state.stage, "count": STAGE_COUNT, "applied": st.session_state.get("applied_press"),
                "forward": list(FORWARD_KEYS), "back": list(BACK_KEYS)}
    _stage_keys(
        key="stage_keys",
        # In a list: Streamlit checks each value of a dict for a dataframe, and that check imports
        # pandas (most of a second, on a fresh server's first page); a list goes to the browser as it is.
        data=[settings],
        on_target_change=_apply_target,
        width="content",
        height="content",
    )
