"""The graph's shape (node names the eval suite checks, langgraph.json), and the `apply` and `chat` commands."""
from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

REPO = Path(__file__).resolve().parents[2]


def test_the_graph_has_exactly_the_designed_nodes():
    from credlift.agent.graph import graph

    nodes = set(graph.get_graph().nodes) - {"__start__", "__end__"}
    assert nodes == {"intake", "authenticate", "extract", "validate", "assess", "decide", "explain", "converse",
                     "handoff", "budget"}


def test_langgraph_json_exposes_the_compiled_graph():
    import importlib.util

    config = json.loads((REPO / "langgraph.json").read_text())
    module_path, name = config["graphs"]["credlift"].split(":")
    spec = importlib.util.spec_from_file_location("credlift_graph_entry", REPO / module_path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert hasattr(getattr(module, name), "invoke")


def test_prompts_exist_in_both_languages_with_the_same_keys():
    from credlift.prompts import load

    def keys(node, prefix=""):
        if isinstance(node, dict):
            return {k2 for k, v in node.items() for k2 in keys(v, f"{prefix}{k}.")}
        return {prefix.rstrip(".")}

    assert keys(load("replies", "zh")) == keys(load("replies", "en"))


def test_apply_prints_the_decision_json_with_personal_data_masked(data_dir, certificate, tmp_path):
    from credlift.ui.cli import app

    photo = tmp_path / "cet6.jpg"
    photo.write_bytes(certificate("孙悦", seed=20, total_score=561))
    result = CliRunner().invoke(app, ["apply", "--account", "demo-graduate-03", str(photo), "--json"],
                                standalone_mode=False)
    assert result.exit_code == 0, result.output
    record = json.loads(result.output.strip().splitlines()[-1])
    assert record["decision"] == "approve" and record["increase"] > 0
    assert record["new_limit"] == record["current_limit"] + record["increase"]
    assert "INC-CET6" in record["clause_ids"]
    assert "孙悦" not in result.output and record["credential"]["fields"]["holder_name"].startswith("孙*")


def test_chat_runs_a_conversation_in_the_terminal(data_dir):
    from credlift.ui.cli import app

    result = CliRunner().invoke(app, ["chat", "--account", "demo-english-01", "--lang", "en"],
                                input="what documents can I use?\n/upload /no/such/file.jpg\n/quit\n",
                                standalone_mode=False)
    assert result.exit_code == 0, result.output
    assert "credlift: Hello!" in result.output and "degree certificate" in result.output
    assert "no such file" in result.output
