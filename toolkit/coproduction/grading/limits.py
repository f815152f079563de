"""An nbgrader preprocessor that caps how much text one output may keep.

nbgrader's LimitOutput counts lines, so one enormous line (or a few hundred
long ones) still lands whole in the autograded notebook and in the feedback
page. This trims each output's text to a size a person can read. It runs
after execution, so it never changes a score: marks depend on whether a test
cell raised an error, not on what was printed.
"""

from __future__ import annotations

from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Integer

_NOTE = "\n\n[... {cut:,} more characters not kept: the output was too long ...]\n"


class LimitOutputSize(NbGraderPreprocessor):
    """Trim stream and plain-text outputs to ``max_chars`` characters each."""

    max_chars = Integer(20_000, help="Most characters kept from one output.").tag(config=True)

    def _trim(self, text):
        text = "".join(text) if isinstance(text, list) else str(text)
        if len(text) <= self.max_chars:
            return text
        return text[: self.max_chars] + _NOTE.format(cut=len(text) - self.max_chars)

    def preprocess_cell(self, cell, resources, cell_index):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream":
                output["text"] = self._trim(output.get("text", ""))
            elif "data" in output and "text/plain" in output["data"]:
                output["data"]["text/plain"] = self._trim(output["data"]["text/plain"])
        return cell, resources
