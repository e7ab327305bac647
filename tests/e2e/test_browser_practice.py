"""Practice mode in Chromium: a learner predicts all seven stages, one of them wrongly."""

from urllib.parse import parse_qs, urlparse

from playwright.sync_api import expect
from relunet_page import CHART, expect_stage_drawn, heading_text, stage_chart, wait_until_idle

from relunet.network import ARTICLE_PARAMS
from relunet.practice import PICK, question_for
from relunet.practice_charts import describe_candidate
from relunet.stages import STAGE_COUNT
from relunet.wording import num

WRONG_STAGE = 4


def right_candidate_shape(number: int) -> str:
    """The right curve's text alternative without its letter: the page's
    shuffle comes from the session's own seed, the shape does not."""
    question = question_for(number, ARTICLE_PARAMS, "relu", 0)
    right = next(c for c in question.candidates if c.right)
    return describe_candidate(question, right).split(": ", 1)[1]


def test_a_learner_predicts_every_stage_then_sees_the_score(page, app_url):
    page.goto(app_url + "/?mode=predict")
    for number in range(1, STAGE_COUNT + 1):
        expect(page.get_by_role("heading", name=heading_text(number), exact=True)).to_be_visible()
        question_chart = page.locator(f'{CHART}[aria-label^="Stage {number} question chart:"]')
        question_chart.locator(".mark-line path[d]").first.wait_for()
        wait_until_idle(page)
        expect(stage_chart(page, number)).to_have_count(0)  # not drawn before the prediction
        question = question_for(number, ARTICLE_PARAMS, "relu", 0)
        if question.kind == PICK:
            candidates = page.locator(f'{CHART}[aria-label^="Candidate "]')
            expect(candidates).to_have_count(3)
            shape = right_candidate_shape(number)
            labels = [candidates.nth(i).get_attribute("aria-label") for i in range(3)]
            [letter] = [label.split(":")[0].split()[-1] for label in labels if label.endswith(shape)]
            page.get_by_role("button", name=f"Choose {letter}", exact=True).click()
        else:
            typed = question.answer + (3 * question.tolerance + 1 if number == WRONG_STAGE else 0)
            page.get_by_label("Your value").fill(num(typed))
            page.get_by_role("button", name="Check my answer").click()
        expect_stage_drawn(page, number)
        alert = page.locator('[data-testid="stAlert"]').first
        expect(alert).to_contain_text("Not quite" if number == WRONG_STAGE else "Right")
        if number < STAGE_COUNT:
            page.get_by_role("button", name=f"Next: predict stage {number + 1}").click()
    expect(page.get_by_role("heading", name=f"Your score: {STAGE_COUNT - 1} of {STAGE_COUNT}")).to_be_visible()
    expect(page.get_by_role("button", name=f"Revisit stage {WRONG_STAGE}")).to_be_visible()
    # The link still holds the mode, so sharing it sends the next learner into practice too.
    assert parse_qs(urlparse(page.url).query)["mode"] == ["predict"]
