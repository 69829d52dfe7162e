"""Lessons that move, in a notebook, driven headless as JupyterLab drives them:
`interact`'s sliders are ipywidgets whose comm messages the kernel bridges to
`kls --serve` (a browser's `update` message moves a slider; the Output widget
below it gets the new picture), and a `live=true` picture is one display
updated in place."""

import time
import unittest

import kernelspec

kernelspec.install()

WIDGET = "application/vnd.jupyter.widget-view+json"


def text(outputs):
    """What a list of Jupyter outputs shows as text, stripped."""
    parts = [o.get("text") or o.get("data", {}).get("text/plain", "") for o in outputs]
    return "".join(parts).strip()


class Widgets(kernelspec.KernelTestCase):
    def run_cell(self, code, timeout=60):
        return super().run_cell(code, timeout)

    def models(self, outputs):
        """The widget models the cell opened: comm id → state."""
        return {
            m["content"]["comm_id"]: m["content"]["data"]["state"]
            for m in outputs
            if m["msg_type"] == "comm_open" and m["content"]["target_name"] == "jupyter.widget"
        }

    def move(self, comm_id, value, timeout=60, key="value"):
        """Sends what a browser sends when a slider moves (a dropdown sends its
        `index`); returns the Output widget's outputs once the kernel has redrawn them."""
        content = {"comm_id": comm_id, "data": {"method": "update", "state": {key: value}, "buffer_paths": []}}
        message = self.kc.session.msg("comm_msg", content)
        self.kc.shell_channel.send(message)
        deadline = time.time() + timeout
        while time.time() < deadline:
            reply = self.kc.get_iopub_msg(timeout=timeout)
            if reply["msg_type"] != "comm_msg":
                continue
            state = reply["content"]["data"].get("state", {})
            if "outputs" in state:
                return state["outputs"]
        self.fail("the Output widget was not redrawn")

    def test_sliders_redraw_the_output_below_them(self):
        self.run_cell(
            "f(mu, sigma, kind=\"forward\") = {\n"
            "  q = Normal(mu, sigma)\n"
            "  if kind == \"forward\" { kl(Normal(0, 1), q) } else { kl(q, Normal(0, 1)) }\n"
            "}"
        )
        reply, outputs = self.run_cell('interact(f, mu=(-3, 3), sigma=(0.1, 3, 0.1), kind=["forward", "reverse"])')
        self.assertEqual(reply["status"], "ok")
        models = self.models(outputs)
        by_name = {s.get("description"): (i, s) for i, s in models.items() if s.get("description")}
        self.assertEqual(set(by_name), {"mu", "sigma", "kind"})
        mu_id, mu = by_name["mu"]
        self.assertEqual(mu["_model_name"], "FloatSliderModel")
        self.assertEqual((mu["min"], mu["max"], mu["step"], mu["value"]), (-3, 3, 0.1, 0))
        self.assertEqual(by_name["sigma"][1]["value"], 1.5)  # the middle, on a step, as ipywidgets puts it
        self.assertEqual(by_name["kind"][1]["_model_name"], "DropdownModel")
        shown = [m for m in outputs if m["msg_type"] == "display_data"]
        self.assertTrue(any(WIDGET in m["content"]["data"] for m in shown))
        # The first output went into the Output widget, not the cell: KL(N(0,1) ‖ N(0, 1.5)).
        first = [m for m in outputs if m["msg_type"] == "comm_msg" and "outputs" in m["content"]["data"]["state"]]
        self.assertEqual(text(first[-1]["content"]["data"]["state"]["outputs"]), "0.127687")
        self.assertFalse(any(m["msg_type"] == "stream" for m in outputs))
        # A browser moves mu to 1: KL(N(0,1) ‖ N(1, 1.5)) = log 1.5 + (1 + 1)/4.5 − ½.
        self.assertEqual(text(self.move(mu_id, 1.0)), "0.34991")
        # KL(N(1, 1.5) ‖ N(0, 1)) = −log 1.5 + (2.25 + 1)/2 − ½.
        self.assertEqual(text(self.move(by_name["kind"][0], 1, key="index")), "0.719535")

    def test_a_plot_in_a_slider_output_is_svg(self):
        reply, outputs = self.run_cell(
            "interact(s -> hist(randn(1000, seed=1) * s, bins=10, title=\"scale \" + str(s)), s=(0.5, 2))"
        )
        self.assertEqual(reply["status"], "ok")
        slider_id = next(i for i, s in self.models(outputs).items() if s.get("description") == "s")
        redrawn = self.move(slider_id, 2.0)
        self.assertIn("<svg", redrawn[0]["data"]["image/svg+xml"])
        self.assertIn("scale 2", redrawn[0]["data"]["image/svg+xml"])

    def test_an_error_at_some_values_shows_in_the_output(self):
        self.run_cell("g(x) = if x > 0 { x } else { log(\"a\") }")
        _, outputs = self.run_cell("interact(g, x=(-1, 1, 0.5, 1))")
        slider_id = next(i for i, s in self.models(outputs).items() if s.get("description") == "x")
        redrawn = self.move(slider_id, -1.0)
        self.assertEqual(redrawn[0]["name"], "stderr")
        self.assertIn("error:", redrawn[0]["text"])
        self.assertEqual(text(self.move(slider_id, 0.5)), "0.5")

    def test_a_live_picture_is_one_display_replaced_by_the_final_plot(self):
        # Each step draws 200,000 numbers it does not use: about two seconds of steps.
        slow = "x -> sum((x - 1)^2) + 0 * sum(randn(200000, seed=1))"
        reply, outputs = self.run_cell(f"r = minimize({slow}, zeros(3), steps=300, live=true); plot(r.trace)")
        self.assertEqual(reply["status"], "ok")
        shown = [m for m in outputs if m["msg_type"] in ("display_data", "update_display_data")]
        self.assertGreaterEqual(len(shown), 2)
        self.assertEqual(shown[0]["msg_type"], "display_data")
        display_id = shown[0]["content"]["transient"]["display_id"]
        self.assertTrue(all(m["content"]["transient"]["display_id"] == display_id for m in shown))
        self.assertIn("(live)", shown[0]["content"]["data"]["text/plain"])
        final = shown[-1]["content"]["data"]
        self.assertNotIn("(live)", final["text/plain"])
        self.assertIn("<svg", final["image/svg+xml"])


if __name__ == "__main__":
    unittest.main()
