"""crmlab.record / crmlab.results.collect: results travel inside the executed notebook."""
import json

import numpy as np
import pytest

import crmlab
from crmlab.results import MIME_TYPE, collect


def _nb(outputs):
    return {"cells": [{"cell_type": "code", "outputs": outputs}]}


def test_record_converts_numpy_and_rounds_to_10_significant_digits():
    assert crmlab.record("x", np.float64(1 / 3), display=False) == 0.3333333333
    assert crmlab.record("n", np.int64(7), display=False) == 7
    assert crmlab.record("v", np.array([1.5, 2.0]), display=False) == [1.5, 2.0]
    assert crmlab.record("d", {"a": np.bool_(True)}, display=False) == {"a": True}


@pytest.mark.parametrize("name", ["1x", "a b", "", "x-y", None])
def test_record_refuses_non_identifier_names(name):
    with pytest.raises(ValueError, match="result name must be an identifier"):
        crmlab.record(name, 1, display=False)


def test_record_refuses_nan_and_objects():
    with pytest.raises(ValueError, match="'rate' must be finite"):
        crmlab.record("rate", float("nan"), display=False)
    with pytest.raises(TypeError, match="'obj'"):
        crmlab.record("obj", object(), display=False)


def test_collect_reads_mime_outputs_last_value_wins():
    outs = [{"output_type": "display_data", "data": {MIME_TYPE: {"name": "a", "value": 1}, "text/plain": "x"}},
            {"output_type": "stream", "text": "noise"},
            {"output_type": "display_data", "data": {MIME_TYPE: json.dumps({"name": "a", "value": 2})}},
            {"output_type": "display_data", "data": {MIME_TYPE: {"name": "b", "value": "s"}}}]
    assert collect(_nb(outs)) == {"a": 2, "b": "s"}
