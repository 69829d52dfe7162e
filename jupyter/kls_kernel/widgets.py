"""`interact` in a notebook: kls's controls as ipywidgets, their output in an
Output widget below them, redrawn through `interact_update` requests to
`kls --serve` as the widgets move (docs/serve.md)."""

import comm

try:
    import ipywidgets
except ImportError:  # the kernel still works; interact shows its starting values
    ipywidgets = None

_manager = None


def enable_comms(kernel):
    """Widgets talk to the front end through comms: the kernel base class has no
    comm manager (IPython's kernel makes one), so this sets one up as it does."""
    from ipykernel.comm.comm import BaseComm
    from ipykernel.comm.manager import CommManager

    def create_comm(*args, **kwargs):
        return BaseComm(*args, **kwargs)

    def get_comm_manager(*args, **kwargs):
        global _manager
        if _manager is None:
            _manager = CommManager(*args, **kwargs)
        return _manager

    comm.create_comm = create_comm
    comm.get_comm_manager = get_comm_manager
    kernel.comm_manager = get_comm_manager(kernel=kernel)
    for kind in ("comm_open", "comm_msg", "comm_close"):
        kernel.shell_handlers[kind] = getattr(kernel.comm_manager, kind)


def decimals(step):
    """Digits after the point that show `step` (0.05 → 2, 1 → 0)."""
    text = f"{step:.10f}".rstrip("0")
    return len(text.split(".")[1]) if "." in text else 0


def control_widget(control):
    """The ipywidget for one of kls's controls (a slider, a dropdown, a checkbox)."""
    name, kind = control["name"], control["kind"]
    layout = ipywidgets.Layout(width="28em")
    style = {"description_width": "6em"}
    if kind == "slider":
        step = control["step"]
        return ipywidgets.FloatSlider(
            value=control["value"], min=control["low"], max=control["high"], step=step, description=name,
            readout_format=f".{decimals(step)}f", continuous_update=True, layout=layout, style=style,
        )
    if kind == "choice":
        return ipywidgets.Dropdown(
            options=control["options"], value=control["value"], description=name, layout=layout, style=style
        )
    return ipywidgets.Checkbox(value=bool(control["value"]), description=name, style=style)


def output_item(message):
    """A kls message shown in an interaction as a Jupyter output, or None."""
    kind = message["type"]
    if kind == "stream":
        return {"output_type": "stream", "name": message["name"], "text": message["text"]}
    if kind == "warning":
        return {"output_type": "stream", "name": "stderr", "text": "warning: " + message["text"] + "\n"}
    if kind == "error":
        return {"output_type": "stream", "name": "stderr", "text": message.get("rendered", message["message"]) + "\n"}
    if kind == "result":
        return {"output_type": "display_data", "data": {"text/plain": message["text"]}, "metadata": {}}
    if kind == "display" and message.get("svg"):
        data = {"image/svg+xml": message["svg"], "text/plain": message.get("text", "")}
        return {"output_type": "display_data", "data": data, "metadata": {}}
    return None


class Interaction:
    """One `interact` call: its widgets and the output below them."""

    def __init__(self, kernel, message):
        self.kernel = kernel
        self.number = message["interaction"]
        self.controls = {c["name"]: control_widget(c) for c in message["controls"]}
        self.output = ipywidgets.Output()
        self.box = ipywidgets.VBox([*self.controls.values(), self.output])
        self.pending = []
        for widget in self.controls.values():
            widget.observe(self.changed, names="value")

    def view(self):
        """The display_data content that shows the widgets."""
        model = {"version_major": 2, "version_minor": 0, "model_id": self.box.model_id}
        label = "interact: " + ", ".join(self.controls)
        return {"data": {"application/vnd.jupyter.widget-view+json": model, "text/plain": label}, "metadata": {}}

    def collect(self, message):
        """A message of the first showing, while the cell runs."""
        item = output_item(message)
        if item is not None:
            self.pending.append(item)

    def flush(self):
        self.output.outputs = tuple(self.pending)
        self.pending = []

    def changed(self, _change=None):
        """A widget moved: kls redraws the output at the widgets' values."""
        values = {name: widget.value for name, widget in self.controls.items()}
        request = self.kernel.kls.send("interact_update", interaction=self.number, values=values)
        for message in self.kernel.kls.replies(request):
            if message["type"] != "done":
                self.collect(message)
        self.flush()
