"""The stage registry: well-formed, and its text computed from the weights."""

import pytest

from relunet.facts import CURVES, facts_for
from relunet.network import ARTICLE_PARAMS
from relunet.stages import DIAGRAM_PARTS, STAGES
from relunet.wording import describe_curve, num


def test_seven_stages_in_order_with_known_curves_and_parts():
    assert [s.number for s in STAGES] == list(range(1, 8))
    for s in STAGES:
        assert s.curve in CURVES
        assert all(c.curve in CURVES for c in s.context)
        assert s.morph_from in CURVES and s.morph_from != s.curve
        assert all(curve in CURVES for _, curve in s.arithmetic)
        assert s.active and s.active <= set(DIAGRAM_PARTS)
    assert [s.role for s in STAGES] == ["top", "top", "bottom", "bottom", "sum", "sum", "sum"]
    assert STAGES[-1].shows_training_data and not any(s.shows_training_data for s in STAGES[:-1])


def test_explanations_quote_computed_numbers():
    facts = facts_for(ARTICLE_PARAMS, "relu")
    text = {s.number: s.explain(facts) for s in STAGES}
    assert "0.50" in text[1]  # where the top node bends
    assert "-34.68" in text[2]  # 1.70 - 0.85 = 0.85, times -40.8
    assert "never negative" in text[3]
    assert "34.02" in text[4]
    assert "17.01" in text[5]
    assert "0.47" in text[6] and "0.53" in text[6]
    assert "1.01" in text[7] and "0.50" in text[7]


def test_text_follows_the_weights():
    facts = facts_for(ARTICLE_PARAMS.with_values(b3=-15.0), "relu")
    assert "2.01" in STAGES[6].explain(facts)
    assert "15.00" in STAGES[5].explain(facts)
    assert "w3 = 5.00" in STAGES[1].explain(facts_for(ARTICLE_PARAMS.with_values(w3=5.0), "relu"))


def test_formulas_carry_current_values():
    formulas = [s.formula(ARTICLE_PARAMS, "relu") for s in STAGES]
    assert r"1.70\,x - 0.85" in formulas[0]
    assert "-40.80" in formulas[1]
    assert r"12.60\,x)" in formulas[2] and "0.00" not in formulas[2]  # a zero bias is no term
    assert "Softplus" in STAGES[0].formula(ARTICLE_PARAMS, "softplus")


def test_text_alternative_names_the_peak():
    facts = facts_for(ARTICLE_PARAMS, "relu")
    assert "(0.50, 1.01)" in describe_curve(facts, STAGES[6])
    assert "(0.50, 0.00), (1.00, 0.85)" in describe_curve(facts, STAGES[0])
    assert "highest" in describe_curve(facts_for(ARTICLE_PARAMS, "softplus"), STAGES[6])


@pytest.mark.parametrize(("value", "text"), [(0.0, "0.00"), (-0.001, "0.00"), (1.005, "1.00"), (-40.8, "-40.80")])
def test_numbers_read_without_negative_zero(value, text):
    assert num(value) == text


def test_final_verdict_is_computed_not_assumed():
    assert "the curve matches them" in STAGES[6].explain(facts_for(ARTICLE_PARAMS, "relu"))
    softplus = STAGES[6].explain(facts_for(ARTICLE_PARAMS, "softplus"))
    assert "misses them by up to" in softplus and "close to 0" in softplus
    assert "misses them" in STAGES[6].explain(facts_for(ARTICLE_PARAMS.with_values(b3=-10.0), "relu"))
