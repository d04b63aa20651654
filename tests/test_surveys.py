"""Surveys (§10): whom a survey addresses, answering once, valid answers, scoped results."""

import json
import re
import threading

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from assessments import surveys
from assessments.models import Survey, SurveyAnswer, SurveyQuestion, SurveyResponse
from enterprises.models import Enterprise

from .conftest import client_for as persona_client
from .conftest import make_enterprise


@pytest.fixture(autouse=True)
def in_english():
    """Messages are compared with their English msgids, whatever the translations say."""
    with translation.override("en"):
        yield


def client_for(user):
    client = persona_client(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def make_survey(province, prefectures=(), tags=(), status="draft", title="保护状况问卷"):
    survey = Survey.objects.create(title=title, created_by=province, tags=list(tags))
    survey.prefectures.set(prefectures)
    questions = [
        ("近三年是否遭受过侵权？", "single", ["是", "否"], True),
        ("主要痛点", "multiple", ["人员流失", "举证困难", "投入不足"], True),
        ("技术人员年离职人数", "number", [], True),
        ("希望获得的支持", "text", [], False),
    ]
    for order, (text, kind, choices, required) in enumerate(questions):
        SurveyQuestion.objects.create(
            survey=survey, order=order, text=text, kind=kind, choices=choices, required=required
        )
    if status != "draft":
        surveys.open_survey(survey, province)
    if status == "closed":
        surveys.close_survey(survey, province)
    survey.refresh_from_db()
    return survey


def values(survey, single, multiple, number, text=""):
    q = list(survey.questions.all())
    return {q[0].pk: single, q[1].pk: multiple, q[2].pk: number, q[3].pk: text}


def respond(survey, enterprise, officer, *answer):
    return surveys.answer(survey, enterprise, officer, values(survey, *answer))


@pytest.fixture
def survey(province):
    """Open, addressed to every prefecture and every enterprise."""
    return make_survey(province, status="open")


# Targeting -----------------------------------------------------------------------------------


def test_it_targets_the_chosen_prefectures(personas, province):
    changsha = make_survey(province, prefectures=["430100"])
    assert set(surveys.targeted(changsha).values_list("name", flat=True)) == {
        "长沙麓谷芯片科技有限公司",
        "长沙星沙重工机械有限公司",
    }
    everywhere = make_survey(province)
    assert surveys.targeted(everywhere).count() == 3


def test_it_targets_the_chosen_tags_and_skips_removed_enterprises(personas, province):
    objects = personas["objects"]
    Enterprise.objects.filter(pk=objects["changsha_enterprise"].pk).update(is_high_tech=True)
    Enterprise.objects.filter(pk=objects["yueyang_enterprise"].pk).update(is_sme=True)
    high_tech = make_survey(province, tags=["high_tech"])
    assert list(surveys.targeted(high_tech)) == [objects["changsha_enterprise"]]
    either = make_survey(province, tags=["high_tech", "sme"])
    assert surveys.targeted(either).count() == 2
    sme_in_changsha = make_survey(province, prefectures=["430100"], tags=["sme"])
    assert not surveys.targeted(sme_in_changsha).exists()
    Enterprise.objects.filter(pk=objects["changsha_enterprise"].pk).update(status="removed")
    assert not surveys.targeted(high_tech).exists()


def test_it_offers_an_enterprise_the_open_surveys_addressed_to_it(personas, province):
    enterprise_user = personas["enterprise"]
    mine = make_survey(province, prefectures=["430100"], status="open", title="长沙问卷")
    make_survey(province, prefectures=["430600"], status="open", title="岳阳问卷")
    make_survey(province, status="draft", title="草稿")
    make_survey(province, status="closed", title="已结束")
    make_survey(province, tags=["time_honoured_brand"], status="open", title="老字号问卷")
    assert surveys.open_surveys_for(enterprise_user) == [mine]
    respond(
        mine, personas["objects"]["changsha_enterprise"], enterprise_user, "是", ["人员流失"], 3
    )
    assert surveys.open_surveys_for(enterprise_user) == []
    assert surveys.open_surveys_for(personas["same_officer"]) == []


# The province's steps ------------------------------------------------------------------------


def test_it_opens_only_a_draft_with_questions_and_only_for_the_province(personas, province):
    empty = Survey.objects.create(title="空问卷", created_by=province)
    with pytest.raises(ValidationError, match="at least one question"):
        surveys.open_survey(empty, province)
    draft = make_survey(province)
    with pytest.raises(PermissionDenied):
        surveys.open_survey(draft, personas["same_officer"])
    opened = surveys.open_survey(draft, province)
    assert opened.status == "open" and opened.opened_at is not None
    with pytest.raises(ValidationError, match="Only a draft"):
        surveys.open_survey(draft, province)
    with pytest.raises(PermissionDenied):
        surveys.close_survey(draft, personas["same_officer"])
    assert surveys.close_survey(draft, province).status == "closed"


def test_it_refuses_answers_to_a_closed_survey(personas, province):
    closed = make_survey(province, status="closed")
    with pytest.raises(ValidationError, match="closed"):
        respond(
            closed, personas["objects"]["changsha_enterprise"], personas["enterprise"], "是", [], 1
        )
    assert not SurveyResponse.objects.exists()


# Answering -----------------------------------------------------------------------------------


def test_it_records_an_answer_once(personas, survey):
    enterprise = personas["objects"]["changsha_enterprise"]
    user = personas["enterprise"]
    response = respond(survey, enterprise, user, "是", ["举证困难", "人员流失"], "12", " 培训 ")
    assert (response.prefecture_id, response.county_id) == ("430100", "430104")
    stored = dict(SurveyAnswer.objects.values_list("question__kind", "value"))
    # Choices are kept in the question's order, numbers as numbers, texts trimmed.
    assert stored == {
        "single": "是",
        "multiple": ["人员流失", "举证困难"],
        "number": 12,
        "text": "培训",
    }
    with pytest.raises(ValidationError, match="already answered"):
        respond(survey, enterprise, user, "否", ["投入不足"], 99)
    assert SurveyResponse.objects.count() == 1
    assert dict(SurveyAnswer.objects.values_list("question__kind", "value")) == stored


@pytest.mark.parametrize(
    ("answer", "field", "message"),
    [
        (("也许", ["人员流失"], 3), 0, "Choose one of the choices offered."),
        (("是", ["人员流失", "商业间谍"], 3), 1, "“商业间谍” is not one of the choices offered."),
        (("是", ["人员流失"], -1), 2, "Enter a number of zero or more."),
        (("是", ["人员流失"], "很多"), 2, "Enter a number."),
        (("", ["人员流失"], 3), 0, "This question needs an answer."),
        (("是", [], 3), 1, "This question needs an answer."),
        (("是", ["人员流失"], None), 2, "This question needs an answer."),
    ],
)
def test_it_refuses_an_invalid_answer_and_writes_nothing(personas, survey, answer, field, message):
    question = list(survey.questions.all())[field]
    with pytest.raises(ValidationError) as refused:
        respond(survey, personas["objects"]["changsha_enterprise"], personas["enterprise"], *answer)
    assert refused.value.message_dict == {surveys.field_name(question): [message]}
    assert not SurveyResponse.objects.exists() and not SurveyAnswer.objects.exists()


def test_it_refuses_an_enterprise_the_survey_does_not_address(personas, province):
    yueyang_only = make_survey(province, prefectures=["430600"], status="open")
    with pytest.raises(ValidationError, match="not addressed"):
        respond(
            yueyang_only,
            personas["objects"]["changsha_enterprise"],
            personas["enterprise"],
            "是",
            ["人员流失"],
            1,
        )


def test_it_lets_nobody_answer_for_an_enterprise_out_of_reach(personas, survey):
    enterprise = personas["objects"]["changsha_enterprise"]
    for persona in ("other_officer", "expert", "province"):
        with pytest.raises(PermissionDenied):
            respond(survey, enterprise, personas[persona], "是", ["人员流失"], 1)


@pytest.mark.django_db(transaction=True)
def test_it_answers_two_tabs_submitting_at_once_one_after_the_other(personas, survey):
    enterprise = personas["objects"]["changsha_enterprise"]
    user = personas["enterprise"]
    outcomes = []
    barrier = threading.Barrier(2)

    def submit(choice):
        translation.activate("en")  # thread-local, like the database connection
        try:
            barrier.wait()
            respond(survey, enterprise, user, choice, ["人员流失"], 1)
            outcomes.append("saved")
        except ValidationError as error:
            outcomes.append(error.messages[0])
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(c,)) for c in ("是", "否")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == [
        "Your enterprise has already answered this survey. Thank you.",
        "saved",
    ]
    assert SurveyResponse.objects.count() == 1
    assert SurveyAnswer.objects.count() == 3


# Results -------------------------------------------------------------------------------------


@pytest.fixture
def answered(personas, survey):
    """Two responses in 长沙 (岳麓区 and 长沙县) and one in 岳阳."""
    objects = personas["objects"]
    changsha = personas["same_officer"]
    respond(
        survey, objects["changsha_enterprise"], changsha, "是", ["人员流失", "举证困难"], 10, "培训"
    )
    respond(survey, objects["changsha_other_county_enterprise"], changsha, "否", ["举证困难"], 20)
    respond(
        survey, objects["yueyang_enterprise"], personas["other_officer"], "是", ["投入不足"], 3, "x"
    )
    return survey


def summary(results):
    by_kind = {q["kind"]: q for q in results["questions"]}
    return {
        "responses": results["responses"],
        "targeted": results["targeted"],
        "single": {c["label"]: c["count"] for c in by_kind["single"]["choices"]},
        "multiple": {c["label"]: c["count"] for c in by_kind["multiple"]["choices"]},
        "number": {k: by_kind["number"][k] for k in ("count", "mean", "min", "max")},
        "texts": by_kind["text"]["answered"],
    }


def test_the_province_sees_every_response(personas, answered):
    results = surveys.aggregate(answered, personas["province"])
    assert summary(results) == {
        "responses": 3,
        "targeted": 3,
        "single": {"是": 2, "否": 1},
        "multiple": {"人员流失": 1, "举证困难": 2, "投入不足": 1},
        "number": {"count": 3, "mean": 11.0, "min": 3, "max": 20},
        "texts": 2,
    }
    assert results["rate"] == 100.0
    shares = {c["label"]: c["share"] for c in results["questions"][0]["choices"]}
    assert shares == {"是": 66.7, "否": 33.3}
    assert {
        row["name"]: (row["responses"], row["targeted"]) for row in results["by_prefecture"]
    } == {
        "长沙市": (2, 2),
        "岳阳市": (1, 1),
    }


def test_an_officer_sees_only_the_responses_of_their_prefecture(personas, answered):
    assert summary(surveys.aggregate(answered, personas["same_officer"])) == {
        "responses": 2,
        "targeted": 2,
        "single": {"是": 1, "否": 1},
        "multiple": {"人员流失": 1, "举证困难": 2, "投入不足": 0},
        "number": {"count": 2, "mean": 15.0, "min": 10, "max": 20},
        "texts": 1,
    }
    yueyang = surveys.aggregate(answered, personas["other_officer"])
    assert (yueyang["responses"], yueyang["targeted"]) == (1, 1)
    assert summary(yueyang)["multiple"] == {"人员流失": 0, "举证困难": 0, "投入不足": 1}
    assert yueyang["by_prefecture"] == []
    yuelu = surveys.aggregate(answered, personas["county_officer"])
    assert (yuelu["responses"], yuelu["targeted"]) == (1, 1)


def test_the_province_filters_by_prefecture(personas, answered):
    province = personas["province"]
    assert summary(surveys.aggregate(answered, province, prefecture="430600")) == summary(
        surveys.aggregate(answered, personas["other_officer"])
    )
    client = client_for(province)
    page = client.get(
        reverse("assessments:survey_results", args=[answered.pk]), {"prefecture": "430100"}
    )
    assert page.context["results"]["responses"] == 2
    assert page.context["prefecture"].name == "长沙市"


def test_the_results_page_shows_each_officer_their_own_prefecture(personas, answered):
    url = reverse("assessments:survey_results", args=[answered.pk])
    changsha = client_for(personas["same_officer"]).get(url)
    assert changsha.context["results"]["responses"] == 2
    # An officer's ?prefecture= is ignored: the scope decides.
    yueyang = client_for(personas["other_officer"]).get(url, {"prefecture": "430100"})
    assert yueyang.context["results"]["responses"] == 1
    assert yueyang.context["scope_label"] == "岳阳市"


def test_the_results_page_runs_a_constant_number_of_queries(personas, answered, regions):
    url = reverse("assessments:survey_results", args=[answered.pk])
    client = client_for(personas["province"])

    def queries():
        client.get(url)  # warm the session and the user's scope
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    few = queries()
    officer = personas["same_officer"]
    for i in range(30):
        enterprise = make_enterprise("430102", f"MA4L{i:05d}", f"长沙测试企业{i}有限公司")
        respond(answered, enterprise, officer, "是", ["人员流失"], i, "文本")
    assert queries() == few
    assert few <= 22


def test_the_results_page_embeds_the_chart_data_safely(personas, province):
    survey = make_survey(province, status="open", title="<script>alert(1)</script>问卷")
    question = survey.questions.first()
    question.choices = ["</script><script>alert(2)</script>", "否"]
    question.save()
    page = client_for(province).get(reverse("assessments:survey_results", args=[survey.pk]))
    html = page.content.decode()
    assert "<script>alert(" not in html
    data = re.search(r'<script id="survey-chart-data" type="application/json">(.*?)</script>', html)
    chart = json.loads(data.group(1))
    assert chart["questions"][0]["labels"][0] == "</script><script>alert(2)</script>"
    assert "vendor/echarts/echarts.min" in html and "js/survey-charts" in html


# Pages ---------------------------------------------------------------------------------------


def test_the_province_creates_a_draft_and_opens_it(personas, province):
    client = client_for(province)
    form = {
        "title": "2026年问卷",
        "description": "",
        "prefectures": ["430100", "430600"],
        "tags": ["high_tech"],
        "closes_on": "",
        "questions-TOTAL_FORMS": "3",
        "questions-INITIAL_FORMS": "0",
        "questions-MIN_NUM_FORMS": "0",
        "questions-MAX_NUM_FORMS": "1000",
        "questions-0-text": "痛点",
        "questions-0-kind": "multiple",
        "questions-0-choices": "人员流失\n\n举证困难\n人员流失\n",
        "questions-0-required": "on",
        "questions-1-text": "离职人数",
        "questions-1-kind": "number",
        "questions-1-choices": "不该保留",
        "questions-2-text": "",
        "questions-2-kind": "",
        "questions-2-choices": "",
        "questions-2-required": "on",  # as rendered: an untouched extra question is skipped
    }
    response = client.post(reverse("assessments:survey_create"), form)
    survey = Survey.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("assessments:survey_results", args=[survey.pk])
    assert survey.created_by == province and survey.tags == ["high_tech"]
    assert sorted(survey.prefectures.values_list("pk", flat=True)) == ["430100", "430600"]
    assert list(survey.questions.values_list("order", "kind", "choices")) == [
        (0, "multiple", ["人员流失", "举证困难"]),
        (1, "number", []),
    ]
    client.post(reverse("assessments:survey_open", args=[survey.pk]))
    survey.refresh_from_db()
    assert survey.status == "open"
    page = client.get(reverse("assessments:survey_update", args=[survey.pk]))
    assert page.status_code == 302  # no longer a draft


def test_a_question_with_choices_needs_two_of_them(personas, province):
    form = {
        "title": "问卷",
        "questions-TOTAL_FORMS": "1",
        "questions-INITIAL_FORMS": "0",
        "questions-MIN_NUM_FORMS": "0",
        "questions-MAX_NUM_FORMS": "1000",
        "questions-0-text": "是否遭受侵权",
        "questions-0-kind": "single",
        "questions-0-choices": "是",
    }
    page = client_for(province).post(reverse("assessments:survey_create"), form)
    assert page.status_code == 200
    assert "A question with choices needs at least two of them." in page.content.decode()
    assert not Survey.objects.exists()


def test_opening_a_survey_without_questions_is_refused_with_a_message(personas, province):
    empty = Survey.objects.create(title="空问卷", created_by=province)
    response = client_for(province).post(
        reverse("assessments:survey_open", args=[empty.pk]), follow=True
    )
    assert "Add at least one question before opening the survey." in response.content.decode()
    empty.refresh_from_db()
    assert empty.status == "draft"


def test_an_enterprise_answers_on_the_page_once(personas, survey):
    client = client_for(personas["enterprise"])
    listing = client.get(reverse("assessments:survey_list"))
    assert listing.context["open_surveys"] == [survey]
    url = reverse("assessments:survey_answer", args=[survey.pk])
    q = list(survey.questions.all())
    invalid = client.post(url, {f"q{q[0].pk}": "是", f"q{q[2].pk}": "-5"})
    content = invalid.content.decode()
    assert invalid.status_code == 200
    assert "Enter a number of zero or more." in content
    assert "This question needs an answer." in content
    assert not SurveyResponse.objects.exists()
    answers = {f"q{q[0].pk}": "否", f"q{q[1].pk}": ["投入不足"], f"q{q[2].pk}": "4"}
    assert client.post(url, answers)["Location"] == url
    thanks = client.get(url)
    assert thanks.context["response"].enterprise == personas["objects"]["changsha_enterprise"]
    assert "投入不足" in thanks.content.decode() and '<form method="post" class="panel"' not in (
        thanks.content.decode()
    )
    again = client.post(url, {f"q{q[0].pk}": "是", f"q{q[1].pk}": ["人员流失"], f"q{q[2].pk}": "9"})
    assert "already answered" in again.content.decode()
    assert SurveyResponse.objects.count() == 1
    assert SurveyAnswer.objects.get(question=q[0]).value == "否"
    assert (
        client_for(personas["enterprise"])
        .get(reverse("assessments:survey_list"))
        .context["open_surveys"]
        == []
    )


def test_the_list_shows_each_role_what_it_may_see(personas, answered, province):
    draft = make_survey(province, title="草稿问卷")
    yueyang_only = make_survey(province, prefectures=["430600"], status="open", title="岳阳问卷")

    def listed(persona):
        page = client_for(personas[persona]).get(reverse("assessments:survey_list"))
        assert page.status_code == 200
        return {s.pk: s.response_count for s in page.context["surveys"]}

    assert listed("province") == {answered.pk: 3, draft.pk: 0, yueyang_only.pk: 0}
    assert listed("same_officer") == {answered.pk: 2}
    assert listed("other_officer") == {answered.pk: 1, yueyang_only.pk: 0}
    assert listed("county_officer") == {answered.pk: 1}
    enterprise = client_for(personas["enterprise"]).get(reverse("assessments:survey_list"))
    assert "surveys" not in enterprise.context
    assert [r.survey for r in enterprise.context["answered"]] == [answered]
    assert client_for(personas["expert"]).get(reverse("assessments:survey_list")).status_code == 403


def test_the_demo_survey_is_seeded_once(personas, province, changsha_officer, yueyang_officer):
    from assessments import survey_demo

    survey = survey_demo.seed()
    assert survey.status == "open" and survey.questions.count() == 5
    # Of the demo enterprises, the fixtures hold the two of 长沙 and 岳阳 named in the demo.
    assert SurveyResponse.objects.filter(survey=survey).count() == 3
    assert survey_demo.seed() is None
    assert Survey.objects.count() == 1
