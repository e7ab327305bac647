"""A Streamlit client without a browser: the websocket protocol the page's front end speaks.

It connects to `/_stcore/stream`, asks for script runs with a `BackMsg.rerun_script`
(query string, widget states, cached message hashes) and reads `ForwardMsg`s until
`script_finished`, keeping between runs what the front end keeps: the widgets' current
values, the query string the script set, and the cache of large messages.

Widgets are found by their user key, which Streamlit puts at the end of a keyed
widget's element id ("$$ID-<hash>-<key>"), so the driver does not depend on the page's
layout. Values are tracked for number inputs, sliders, radios, select boxes, checkboxes
and toggles; a widget of another kind (e.g. a custom component) is left out of the widget
states, and the server then keeps its previous value, as it does for a widget the user
has not touched.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

import websockets
from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.Element_pb2 import Element
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.NumberInput_pb2 import NumberInput
from streamlit.proto.WidgetStates_pb2 import WidgetState

ELEMENT_ID_PREFIX = "$$ID-"
WIDGET_KINDS = ("button", "number_input", "slider", "radio", "selectbox", "checkbox")


def user_key(element_id: str) -> str | None:
    """The key the script gave the widget, or None for an unkeyed one."""
    if not element_id.startswith(ELEMENT_ID_PREFIX):
        return None
    key = element_id.split("-", 2)[-1]  # the hash holds no "-"; a key may
    return None if key == "None" else key


@dataclass
class RunResult:
    """One script run, from the BackMsg sent to its script_finished."""

    seconds: float
    elements: list[Element] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # exceptions, error boxes, compile errors

    def headings(self) -> list[str]:
        return [e.heading.body for e in self.elements if e.WhichOneof("type") == "heading"]


def _problem(element: Element) -> str | None:
    kind = element.WhichOneof("type")
    if kind == "exception":
        return f"exception: {element.exception.type}: {element.exception.message.splitlines()[0][:120]}"
    if kind == "alert" and element.alert.format == Alert.ERROR:
        return f"error box: {element.alert.body.splitlines()[0][:120]}"
    return None


def _initial_value(kind: str, proto) -> WidgetState | None:
    """The value the front end holds for a widget it has just been sent."""
    state = WidgetState(id=proto.id)
    if kind == "number_input":
        if not (proto.set_value or proto.HasField("default")):
            return None  # an empty input sends nothing
        value = proto.value if proto.set_value else proto.default
        if proto.data_type == NumberInput.INT:
            state.int_value = int(value)
        else:
            state.double_value = value
    elif kind == "slider":
        state.double_array_value.data[:] = proto.value if proto.set_value else proto.default
    elif kind == "checkbox":  # st.checkbox and st.toggle
        state.bool_value = proto.value if proto.set_value else proto.default
    elif kind in ("radio", "selectbox"):
        if proto.set_value:
            state.string_value = proto.raw_value
        elif proto.HasField("default"):
            state.string_value = proto.options[proto.default]
        else:
            return None
    else:
        return None
    return state


class StreamlitSession:
    """One browser tab's worth of protocol: `open()`, then `click(key)` / `set_number(key, value)`."""

    def __init__(self, base_url: str, query_string: str = "", context_url: str | None = None):
        self.stream_url = base_url.replace("http://", "ws://", 1).rstrip("/") + "/_stcore/stream"
        self.query_string = query_string
        self.context_url = context_url or f"{base_url.rstrip('/')}/?{query_string}"
        self.page_script_hash = ""
        self.widgets: dict[str, tuple[str, object]] = {}  # user key -> (kind, proto) from the latest run
        self.values: dict[str, WidgetState] = {}  # element id -> the value the front end would send
        self._message_cache: dict[str, ForwardMsg] = {}
        self._socket = None

    async def connect(self, timeout: float) -> None:
        # No Origin header, as a non-browser client; "streamlit" is the subprotocol the front end asks for.
        # No keepalive pings of our own: browsers send none (they only answer the server's), and a busy
        # server that cannot answer one within 20 s would otherwise be cut off by this client.
        self._socket = await asyncio.wait_for(
            websockets.connect(self.stream_url, subprotocols=["streamlit"], max_size=None, open_timeout=timeout,
                               ping_interval=None),
            timeout,
        )

    async def close(self) -> None:
        if self._socket is not None:
            await self._socket.close()

    async def open(self, timeout: float) -> RunResult:
        """The page's first run, as when a link is opened."""
        return await self._run({}, timeout)

    async def click(self, key: str, timeout: float) -> RunResult:
        kind, proto = self.widgets[key]
        if kind != "button":
            raise KeyError(f"{key} is a {kind}, not a button")
        return await self._run({proto.id: WidgetState(id=proto.id, trigger_value=True)}, timeout)

    async def set_number(self, key: str, value: float, timeout: float) -> RunResult:
        kind, proto = self.widgets[key]
        if kind != "number_input":
            raise KeyError(f"{key} is a {kind}, not a number input")
        state = WidgetState(id=proto.id)
        if proto.data_type == NumberInput.INT:
            state.int_value = int(value)
        else:
            state.double_value = value
        self.values[proto.id] = state  # the input keeps what the user typed
        return await self._run({}, timeout)

    def number(self, key: str) -> float | None:
        """The value a number input holds in the front end: the script's (set_value) or the user's last one.
        Its proto's `value` is not that: it is only filled when the script sets the value."""
        _, proto = self.widgets[key]
        state = self.values.get(proto.id)
        if state is None:
            return None
        return state.int_value if state.WhichOneof("value") == "int_value" else state.double_value

    def _rerun_message(self, changes: dict[str, WidgetState]) -> bytes:
        message = BackMsg()
        rerun = message.rerun_script
        rerun.query_string = self.query_string
        rerun.page_script_hash = self.page_script_hash
        states = {**self.values, **changes}
        rerun.widget_states.widgets.extend(states.values())
        rerun.cached_message_hashes.extend(self._message_cache)
        context = rerun.context_info
        context.timezone, context.timezone_offset, context.locale = "UTC", 0, "en-US"
        context.url, context.color_scheme = self.context_url, "light"
        return message.SerializeToString()

    async def _run(self, changes: dict[str, WidgetState], timeout: float) -> RunResult:
        """Send one rerun and read until its script_finished. Raises TimeoutError or
        websockets.ConnectionClosed; page problems are returned in the result."""
        payload = self._rerun_message(changes)
        started = time.perf_counter()
        deadline = started + timeout
        result = RunResult(seconds=0.0)
        await self._socket.send(payload)
        while True:
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                raise TimeoutError(f"no script_finished within {timeout:g} s")
            message = ForwardMsg()
            message.ParseFromString(await asyncio.wait_for(self._socket.recv(), remaining))
            kind = message.WhichOneof("type")
            if kind == "ref_hash":
                cached = self._message_cache.get(message.ref_hash)
                if cached is None:
                    result.problems.append(f"server referred to a message it never sent ({message.ref_hash})")
                    continue
                message, kind = cached, cached.WhichOneof("type")
            elif message.metadata.cacheable and message.hash:
                self._message_cache[message.hash] = message
            if kind == "new_session":
                self.page_script_hash = message.new_session.page_script_hash or self.page_script_hash
            elif kind == "page_info_changed":
                self.query_string = message.page_info_changed.query_string
            elif kind == "delta" and message.delta.WhichOneof("type") == "new_element":
                element = message.delta.new_element
                result.elements.append(element)
                problem = _problem(element)
                if problem:
                    result.problems.append(problem)
            elif kind == "script_finished":
                status = message.script_finished
                if status == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    continue  # the script asked for another run; the click ends when that one does
                if status == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                    result.problems.append("the script failed to compile")
                result.seconds = time.perf_counter() - started
                self._learn_widgets(result.elements)
                return result

    def _learn_widgets(self, elements: list[Element]) -> None:
        widgets, values = {}, {}
        for element in elements:
            kind = element.WhichOneof("type")
            if kind not in WIDGET_KINDS:
                continue
            proto = getattr(element, kind)
            key = user_key(proto.id)
            if key is not None:
                widgets[key] = (kind, proto)
            set_by_script = getattr(proto, "set_value", False)
            if proto.id in self.values and not set_by_script:
                values[proto.id] = self.values[proto.id]  # the front end keeps a mounted widget's value
            else:
                initial = _initial_value(kind, proto)
                if initial is not None:
                    values[proto.id] = initial
        self.widgets, self.values = widgets, values
