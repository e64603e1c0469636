"""The executor on a scripted runner: the exact command sequence of a plan, an apply
(staged and live), a refused base version, a revert, an upload and the failure paths,
with outputs recorded from the lab (tests/fixtures)."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from clusters.changes import cluster_all, config_restore
from hacore.commands.shell import write_stdin_base64
from nodes.changes import node_standby
from operations import errors, executor
from operations.change import history_revert
from operations.holds import MoveHasNoEffect, MoveWouldNotHold
from resources.changes import resource_cleanup, resource_move
from tests.planscript import (
    AFTER,
    AFTER_FILE,
    BACK,
    BEFORE,
    CLEANUP,
    MOVED,
    NEW,
    NODE,
    ORIG,
    SCORES,
    STAYS,
    VERSION_AFTER,
    D,
    push,
    staging,
)
from tests.scripted import ScriptedRunner, expect, fixture, target


def session(runner: ScriptedRunner, steps: list[dict[str, Any]]) -> executor.NodeSession:
    async def record(step: dict[str, Any]) -> None:
        steps.append(step)

    return executor.NodeSession(runner, target(NODE), record, node="node1")


async def test_plan_stages_on_a_copy_and_simulates_it() -> None:
    runner = ScriptedRunner().script(
        NODE,
        *staging(node_standby("node2").stage[0]),
        expect(
            "crm_simulate",
            "--simulate",
            "--output-as=xml",
            "--xml-file",
            NEW,
            out=fixture("crm_simulate/standby_disable.xml"),
        ),
        CLEANUP,
    )
    steps: list[dict[str, Any]] = []
    result = await executor.plan(session(runner, steps), node_standby("node2"))
    runner.assert_done()
    assert result.base == "0:170"
    assert result.actions, "crm_simulate's transition summary is the plan's effect"
    assert any('standby" value="on"' in line for line in result.diff.splitlines())
    assert [s["argv"][0] for s in steps][:4] == ["mktemp", "cibadmin", "tee", "env"]
    assert all(s["node"] == "node1" for s in steps)
    read = next(s for s in steps if s["argv"] == ["cibadmin", "--query"])
    assert read["stdout"].startswith(f"({len(BEFORE)} characters"), "kept by size only"


async def test_apply_pushes_the_diff_and_keeps_the_reverse_patch() -> None:
    patch = '<diff format="2"><change operation="delete" path="/cib/x"/></diff>'
    runner = ScriptedRunner().script(
        NODE,
        *staging(node_standby("node2").stage[0]),
        expect("crm_diff", "--original", NEW, "--new", ORIG, "--no-version", out=patch, status=1),
        *push(patch),
        CLEANUP,
        expect("cibadmin", "--query", "--xpath", "/cib", "--no-children", out=VERSION_AFTER),
    )
    bases: list[str] = []
    steps: list[dict[str, Any]] = []
    run = session(runner, steps)

    async def staged_on(base: str) -> None:
        bases.append(base)

    run.on_base = staged_on
    result = await executor.apply(run, node_standby("node2"), expected="0:170")
    runner.assert_done()
    assert (result.before, result.after, result.revert_patch) == ("0:170", "0:173", patch)
    assert bases == ["0:170"], "the base is reported before the push"


async def test_apply_refuses_a_cib_that_moved_and_pushes_nothing() -> None:
    runner = ScriptedRunner().script(NODE, *staging(node_standby("node2").stage[0]), CLEANUP)
    with pytest.raises(errors.CibMoved, match=r"planned on 0:169, now 0:170"):
        await executor.apply(session(runner, []), node_standby("node2"), expected="0:169")
    runner.assert_done()
    assert not any(a[:2] == ("cibadmin", "--patch") for a in runner.node(NODE).ran)


async def test_apply_on_the_expected_base_is_the_positive_control() -> None:
    runner = ScriptedRunner().script(
        NODE,
        *staging(node_standby("node2").stage[0]),
        expect("crm_diff", "--original", NEW, "--new", ORIG, "--no-version", status=0),
        expect("crm_diff", "--original", ORIG, "--new", NEW, "--no-version", status=0),
        CLEANUP,
        expect("cibadmin", "--query", "--xpath", "/cib", "--no-children", out=VERSION_AFTER),
    )
    result = await executor.apply(session(runner, []), node_standby("node2"), expected="0:170")
    runner.assert_done()
    assert result.revert_patch == "", "crm_diff exit 0: the copies do not differ"


async def test_a_live_change_runs_its_command_between_two_reads() -> None:
    runner = ScriptedRunner().script(
        NODE,
        expect("cibadmin", "--query", out=BEFORE),
        expect("pcs", "resource", "cleanup", "dummy1"),
        expect("cibadmin", "--query", out=AFTER),
    )
    result = await executor.apply(session(runner, []), resource_cleanup("dummy1"), None)
    runner.assert_done()
    assert (result.before, result.after) == ("0:170", "0:173")


async def test_revert_applies_the_patch_to_the_copy_before_the_push() -> None:
    patch = '<diff format="2"><change operation="delete" path="/cib/x"/></diff>'
    runner = ScriptedRunner().script(
        NODE,
        expect("mktemp", "-d", "-t", "haconsole.XXXXXXXX", out=f"{D}\n"),
        expect("cibadmin", "--query", out=AFTER),
        expect("tee", "--", ORIG, NEW, stdin=AFTER, out=AFTER),
        expect("env", f"CIB_file={NEW}", "cibadmin", "--patch", "--xml-text", patch),
        expect("cat", "--", NEW, out=BEFORE),
        expect(
            "crm_simulate",
            "--simulate",
            "--output-as=xml",
            "--xml-file",
            NEW,
            out=fixture("crm_simulate/standby_disable.xml"),
        ),
        CLEANUP,
    )
    result = await executor.plan(session(runner, []), history_revert(7, patch))
    runner.assert_done()
    assert result.base == "0:173"


async def test_a_refused_stage_ends_with_pcs_own_words_and_cleans_up() -> None:
    refusal = "Error: bundle 'x' does not exist\n"
    runner = ScriptedRunner().script(
        NODE,
        expect("mktemp", "-d", "-t", "haconsole.XXXXXXXX", out=f"{D}\n"),
        expect("cibadmin", "--query", out=BEFORE),
        expect("tee", "--", ORIG, NEW, stdin=BEFORE, out=BEFORE),
        expect(
            "env", f"CIB_file={NEW}", *node_standby("node2").stage[0][2:], err=refusal, status=1
        ),
        CLEANUP,
    )
    steps: list[dict[str, Any]] = []
    with pytest.raises(errors.CommandFailed, match=r"env exited 1: Error: bundle 'x' does not"):
        await executor.plan(session(runner, steps), node_standby("node2"))
    runner.assert_done()
    assert steps[-2]["exit_status"] == 1
    assert steps[-2]["stderr"] == refusal


async def test_an_unexpected_mktemp_answer_is_refused_before_anything_else() -> None:
    runner = ScriptedRunner().script(
        NODE, expect("mktemp", "-d", "-t", "haconsole.XXXXXXXX", out="/etc\n")
    )
    with pytest.raises(errors.OperationError, match=r"mktemp gave an unexpected path '/etc'"):
        await executor.plan(session(runner, []), node_standby("node2"))
    runner.assert_done()


async def test_an_upload_travels_on_stdin_and_is_named_by_path() -> None:
    data = b"BZh91AY&SY backup"
    encoded = base64.b64encode(data).decode()
    change = config_restore("node1", data, {"confirm": "restore node1"})
    decode = write_stdin_base64(f"{D}/upload")
    runner = ScriptedRunner().script(
        NODE,
        expect("mktemp", "-d", "-t", "haconsole.XXXXXXXX", out=f"{D}\n"),
        expect(*decode, stdin=encoded),
        expect("pcs", "config", "restore", "--local", f"{D}/upload"),
        CLEANUP,
    )
    result = await executor.apply(session(runner, []), change, None)
    runner.assert_done()
    assert all(encoded not in " ".join(argv) for argv in runner.node(NODE).ran)
    assert (result.before, result.after) == ("", ""), "the stopped node has no CIB"


def move_plan(second: str, *tail: Any) -> ScriptedRunner:
    """The commands of a move's plan: stage, simulate and save, clear, simulate again."""
    return ScriptedRunner().script(
        NODE,
        *staging(resource_move("dummy1", "node1").stage[0]),
        expect(
            "crm_simulate",
            "--simulate",
            "--output-as=xml",
            "--xml-file",
            NEW,
            "--save-output",
            AFTER_FILE,
            out=MOVED,
        ),
        expect("env", f"CIB_file={AFTER_FILE}", "crm_resource", "--clear", "--resource", "dummy1"),
        expect(
            "crm_simulate", "--simulate", "--output-as=xml", "--xml-file", AFTER_FILE, out=second
        ),
        *tail,
        CLEANUP,
    )


async def test_a_move_that_holds_is_planned_as_the_live_command_checks_it() -> None:
    runner = move_plan(STAYS, expect("cat", "--", AFTER_FILE, out=BEFORE))
    result = await executor.plan(session(runner, []), resource_move("dummy1", "node1"))
    runner.assert_done()
    assert [a.text() for a in result.actions] == ["move dummy1 node2 -> node1"]
    assert result.diff == "", "pcs removes the constraint: the configuration is as before"


async def test_a_move_that_would_not_hold_is_refused_with_the_reason_and_scores() -> None:
    runner = move_plan(
        BACK, expect("crm_simulate", "--show-scores", "--xml-file", AFTER_FILE, out=SCORES)
    )
    with pytest.raises(
        MoveWouldNotHold,
        match=r"dummy1 would not stay on node1: Pacemaker would move dummy1 node1 -> node2 "
        r"\(allocation scores: node1 0, node2 0\)",
    ) as refused:
        await executor.plan(session(runner, []), resource_move("dummy1", "node1"))
    runner.assert_done()
    assert refused.value.code == "move_would_not_hold"
    assert refused.value.extra()["scores"] == {"node1": "0", "node2": "0"}


async def test_a_move_that_changes_nothing_is_refused() -> None:
    runner = ScriptedRunner().script(
        NODE,
        *staging(resource_move("dummy1", "node1").stage[0]),
        expect(
            "crm_simulate",
            "--simulate",
            "--output-as=xml",
            "--xml-file",
            NEW,
            "--save-output",
            AFTER_FILE,
            out=STAYS,
        ),
        CLEANUP,
    )
    with pytest.raises(MoveHasNoEffect, match=r"dummy1 would not move to node1"):
        await executor.plan(session(runner, []), resource_move("dummy1", "node1"))
    runner.assert_done()


async def test_a_kept_constraint_needs_no_hold_check() -> None:
    change = resource_move("dummy1", "node1", body={"keep_constraint": True, "lifetime": "PT1H"})
    runner = ScriptedRunner().script(
        NODE,
        *staging(change.stage[0]),
        expect("crm_simulate", "--simulate", "--output-as=xml", "--xml-file", NEW, out=MOVED),
        CLEANUP,
    )
    await executor.plan(session(runner, []), change)
    runner.assert_done()


async def test_a_change_that_leaves_no_cib_to_read_is_not_read_after() -> None:
    stop_all = cluster_all("stop", {"confirm": "stop the whole cluster"})
    runner = ScriptedRunner().script(
        NODE,
        expect("cibadmin", "--query", out=BEFORE),
        expect("pcs", "cluster", "stop", "--all"),
    )
    result = await executor.apply(session(runner, []), stop_all, None)
    runner.assert_done()
    assert (result.before, result.after, result.diff) == ("0:170", "", "")
