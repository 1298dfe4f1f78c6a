"""The pathway rule engine (`network.pathways.rules`): definitions, their checks, progress."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from network.pathways.rules import (
    DefinitionError,
    FactIndex,
    Facts,
    StepState,
    codes_of,
    dump,
    level_of,
    parse,
    progress,
)

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def facts(n: int, *, days: int = 0, accredited: bool = True, **kwargs: Any) -> Facts:
    return Facts(
        id=f"c{n}",
        digest="0" * 64,
        url=f"https://x.example/credentials/c{n}",
        issuer="did:web:x.example:issuers:1",
        issued_at=T0 + timedelta(days=days),
        accredited=accredited,
        **kwargs,
    )


def steps(*raw: dict[str, Any]) -> dict[str, Any]:
    return {"steps": list(raw)}


def issues_of(raw: dict[str, Any]) -> set[str]:
    with pytest.raises(DefinitionError) as caught:
        parse(raw)
    return {issue.code for issue in caught.value.issues}


def test_named_achievement_step_is_done_by_a_credential_of_it() -> None:
    definition = parse(steps({"key": "a", "title": "Heat pumps", "options": [{"achievement": "ach1"}]}))
    index = FactIndex([facts(1, achievement="ach2"), facts(2, achievement="ach1")])
    result = progress(definition, index)
    assert result.complete
    assert [f.id for f in result.components] == ["c2"]
    assert result.steps[0].state is StepState.DONE


def test_named_achievement_counts_from_any_provider_even_unaccredited() -> None:
    definition = parse(steps({"title": "t", "options": [{"achievement": "ach1"}]}))
    assert progress(definition, FactIndex([facts(1, achievement="ach1", accredited=False)])).complete


def test_rule_needs_an_accredited_provider() -> None:
    definition = parse(steps({"title": "t", "options": [{"rule": {"sector": "Construction"}}]}))
    assert not progress(definition, FactIndex([facts(1, sector="Construction", accredited=False)])).complete
    assert progress(definition, FactIndex([facts(1, sector="construction")])).complete


def test_min_level_compares_within_the_framework() -> None:
    definition = parse(steps({"title": "t", "options": [{"rule": {"min_level": "RQF 3"}}]}))
    assert not progress(definition, FactIndex([facts(1, level=("RQF", 2))])).complete
    assert not progress(definition, FactIndex([facts(1, level=("SCQF", 7))])).complete
    assert progress(definition, FactIndex([facts(1, level=("RQF", 4))])).complete


def test_alignment_code_with_and_without_framework() -> None:
    codes = codes_of([{"targetCode": "ST1234", "targetFramework": "IfATE"}])
    bare = parse(steps({"title": "t", "options": [{"rule": {"code": "ST1234"}}]}))
    framed = parse(steps({"title": "t", "options": [{"rule": {"code": "ST1234", "framework": "IfATE"}}]}))
    other = parse(steps({"title": "t", "options": [{"rule": {"code": "ST1234", "framework": "Other"}}]}))
    index = FactIndex([facts(1, codes=codes)])
    assert progress(bare, index).complete
    assert progress(framed, index).complete
    assert not progress(other, index).complete


def test_credits_are_summed_over_matching_credentials() -> None:
    definition = parse(steps({"title": "t", "options": [{"rule": {"sector": "Energy", "min_credits": 30}}]}))
    two = FactIndex([facts(1, sector="Energy", credits=20), facts(2, days=1, sector="Energy", credits=5)])
    partial = progress(definition, two).steps[0]
    assert partial.state is StepState.IN_PROGRESS
    assert partial.credits == {0: 25}
    three = FactIndex([*two.facts, facts(3, days=2, sector="Energy", credits=10)])
    done = progress(definition, three)
    assert done.complete
    assert done.completed_at == T0 + timedelta(days=2)
    assert {f.id for f in done.components} == {"c1", "c2", "c3"}


def test_n_of_m() -> None:
    definition = parse(
        steps(
            {
                "title": "t",
                "choose": 2,
                "options": [{"achievement": "a"}, {"achievement": "b"}, {"achievement": "c"}],
            }
        )
    )
    one = progress(definition, FactIndex([facts(1, achievement="b")]))
    assert one.steps[0].state is StepState.IN_PROGRESS
    assert one.steps[0].open_options == (0, 2)
    two = progress(definition, FactIndex([facts(1, achievement="b"), facts(2, achievement="c", days=3)]))
    assert two.complete
    assert two.completed_at == T0 + timedelta(days=3)


def test_order_counts_only_credentials_after_the_earlier_step() -> None:
    definition = parse(
        steps(
            {"key": "first", "title": "t", "options": [{"achievement": "a"}]},
            {"key": "second", "title": "t", "options": [{"achievement": "b"}], "after": ["first"]},
        )
    )
    early = progress(definition, FactIndex([facts(1, achievement="b"), facts(2, achievement="a", days=5)]))
    assert [s.state for s in early.steps] == [StepState.DONE, StepState.NEXT]
    waiting = progress(definition, FactIndex([facts(1, achievement="b")]))
    assert [s.state for s in waiting.steps] == [StepState.NEXT, StepState.WAITING]
    later = FactIndex([facts(1, achievement="a"), facts(2, achievement="b", days=5)])
    assert progress(definition, later).complete


def test_a_credential_counts_towards_one_step_only() -> None:
    definition = parse(
        steps(
            {"key": "l2", "title": "t", "options": [{"rule": {"min_level": "RQF 2"}}]},
            {"key": "l3", "title": "t", "options": [{"rule": {"min_level": "RQF 3"}}]},
        )
    )
    assert not progress(definition, FactIndex([facts(1, level=("RQF", 3))])).complete
    both = FactIndex([facts(1, level=("RQF", 3)), facts(2, level=("RQF", 2))])
    result = progress(definition, both)
    assert result.complete  # c2 goes to l2... only if l2 takes the earliest match; both are RQF >= 2
    assert len({f.id for f in result.components}) == 2


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (steps(), "never_met"),
        (steps({"title": "t", "options": []}), "never_met"),
        (
            steps({"title": "t", "choose": 3, "options": [{"achievement": "a"}, {"achievement": "b"}]}),
            "never_met",
        ),
        (steps({"title": "t", "choose": 0, "options": [{"achievement": "a"}]}), "never_met"),
        (steps({"title": "t", "options": [{"rule": {"min_level": "RQF 9"}}]}), "never_met"),
        (steps({"title": "t", "options": [{"rule": {"min_level": "SCQF 13"}}]}), "never_met"),
        (steps({"title": "t", "options": [{"rule": {"min_level": "NVQ 3"}}]}), "bad_level"),
        (steps({"title": "t", "options": [{"rule": {"min_credits": 0}}]}), "never_met"),
        (steps({"title": "t", "options": [{"rule": {}}]}), "empty_rule"),
        (steps({"title": "t", "options": [{"rule": {"framework": "IfATE"}}]}), "never_met"),
        (steps({"title": "t", "options": [{"achievement": "a", "rule": {"sector": "x"}}]}), "bad_option"),
        (steps({"title": "t", "options": [{"achievement": "a"}, {"achievement": "a"}]}), "duplicate"),
        (
            steps({"key": "a", "title": "t", "options": [{"achievement": "a"}], "after": ["zz"]}),
            "unknown_step",
        ),
        (
            steps(
                {"key": "a", "title": "t", "options": [{"achievement": "a"}]},
                {"key": "a", "title": "t", "options": [{"achievement": "b"}]},
            ),
            "duplicate",
        ),
        (steps({"title": "", "options": [{"achievement": "a"}]}), "missing"),
    ],
)
def test_definitions_that_can_never_be_met(raw: dict[str, Any], code: str) -> None:
    assert code in issues_of(raw)


def test_a_cycle_is_named() -> None:
    raw = steps(
        {"key": "a", "title": "t", "options": [{"achievement": "x"}], "after": ["c"]},
        {"key": "b", "title": "t", "options": [{"achievement": "y"}], "after": ["a"]},
        {"key": "c", "title": "t", "options": [{"achievement": "z"}], "after": ["b"]},
    )
    with pytest.raises(DefinitionError) as caught:
        parse(raw)
    [issue] = caught.value.issues
    assert issue.code == "cycle"
    assert "a -> c -> b -> a" in issue.msg


def test_self_reference_is_a_cycle() -> None:
    assert issues_of(
        steps({"key": "a", "title": "t", "options": [{"achievement": "x"}], "after": ["a"]})
    ) == {"cycle"}


def test_dump_round_trips() -> None:
    raw = steps(
        {"key": "a", "title": "One", "options": [{"achievement": "x"}]},
        {
            "key": "b",
            "title": "Two",
            "choose": 1,
            "after": ["a"],
            "options": [
                {"rule": {"code": "ST1", "framework": "IfATE", "min_level": "RQF Entry"}},
                {"rule": {"sector": "Energy", "min_credits": 10.0}},
            ],
        },
    )
    definition = parse(raw)
    assert parse(dump(definition)) == definition
    assert dump(definition)["steps"][1] == raw["steps"][1]


def test_level_of_reads_our_and_others_alignments() -> None:
    ours = [
        {
            "targetName": "RQF Level 3",
            "targetCode": "3",
            "targetFramework": "Regulated Qualifications Framework",
        }
    ]
    assert level_of(ours) == ("RQF", 3)
    assert level_of([{"targetName": "x", "targetCode": "SCQF-7"}]) == ("SCQF", 7)
    assert level_of(
        [
            {
                "targetName": "Entry",
                "targetCode": "Entry",
                "targetFramework": "Regulated Qualifications Framework",
            }
        ]
    ) == ("RQF", 0)
    assert level_of([{"targetName": "x", "targetCode": "ST1234"}]) is None
