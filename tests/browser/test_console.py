"""What the console's users do, in Chromium against the real API (the issue's "Done when" list)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

from neo4j import Driver
from playwright.sync_api import Page, expect

from learner_graph.config import PROJECT_ROOT
from learner_graph.experiments.stats import format_p
from tests.browser import worlds
from tests.browser.conftest import Api, graph_ready, shot, sign_in

ALL = [
    "Concept graph",
    "Units",
    "Questions",
    "Import & export",
    "Audit",
    "Flags",
    "Experiments",
    "Models",
    "Learners",
]
SEEN_BY = {
    "learner_app": ["Concept graph", "Units", "Questions", "Import & export", "Audit", "Learners"],
    "content_editor": [
        "Concept graph",
        "Units",
        "Questions",
        "Import & export",
        "Audit",
        "Flags",
        "Learners",
    ],
    "analyst": ALL,
    "experimenter": ["Experiments"],
    "admin": ALL,
}


def nav(page: Page) -> list[str]:
    return page.get_by_role("navigation", name="Pages").get_by_role("link").all_inner_texts()


def test_sign_in_for_each_role_shows_what_it_may_do(page: Page, api: Api) -> None:
    api.call("POST", "/v1/content/import", "content_editor", json=worlds.curriculum())
    page.goto("/console/")
    shot(page, "sign-in")
    page.get_by_label("API key").fill("not-a-key")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("unknown API key")
    for role, pages in SEEN_BY.items():
        sign_in(page, role)
        assert nav(page) == pages, role
        expect(page.get_by_test_id("who")).to_contain_text(role)
        if "Concept graph" in pages:
            page.goto("/console/#/graph")
            graph_ready(page)
            editor = role in ("content_editor", "admin")
            expect(page.get_by_role("button", name="New concept")).to_have_count(1 if editor else 0)
        page.get_by_role("button", name="Sign out").click()
        expect(page.get_by_label("API key")).to_be_visible()


def test_concept_and_prerequisite_created_cycle_shown_cascade_confirmed(page: Page, api: Api) -> None:
    api.call("POST", "/v1/content/import", "content_editor", json=worlds.curriculum())
    sign_in(page, "content_editor")
    page.goto("/console/#/graph")
    graph_ready(page)
    page.get_by_role("button", name="New concept").click()
    form = page.get_by_role("form", name="New concept")
    form.get_by_label("Id").fill("d")
    form.get_by_label("Name").fill("Dividing")
    form.get_by_label("Subject").fill("math")
    form.get_by_role("button", name="Create").click()
    expect(page.get_by_role("region", name="Concept Dividing")).to_be_visible()

    edge = page.get_by_role("form", name="Add a prerequisite")
    edge.get_by_label("Concept").fill("d")
    edge.get_by_label("requires").fill("c")
    edge.get_by_role("button", name="Add prerequisite").click()
    expect(edge.get_by_text("Edge added")).to_be_visible()
    assert api.call("GET", "/v1/concepts/d", "analyst")["requires"] == ["c"]

    edge.get_by_label("Concept").fill("a")
    edge.get_by_label("requires").fill("d")
    edge.get_by_role("button", name="Add prerequisite").click()
    expect(edge.get_by_role("alert")).to_contain_text("cycle")
    graph = page.get_by_test_id("graph")
    expect(graph).to_have_attribute("data-highlight", "a,d,c,b,a")
    shot(page, "graph-cycle")

    page.get_by_label("Find a concept").fill("Adding")
    page.get_by_role("button", name="Find").click()
    panel = page.get_by_role("region", name="Concept Adding")
    panel.get_by_role("button", name="Delete concept").click()
    page.get_by_role("dialog").get_by_role("button", name="Delete", exact=True).click()
    dialog = page.get_by_role("dialog")
    expect(dialog.locator(".cascade")).to_contain_text("concept 'c' requires it")
    expect(dialog.locator(".cascade")).to_contain_text("question 'q-b-0' assesses it")
    shot(page, "graph-delete-cascade")
    dialog.get_by_role("button", name="Delete with everything listed").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    concepts = {c["id"] for c in api.call("GET", "/v1/content/graph", "analyst")["concepts"]}
    assert concepts == {"a", "c", "d", "v"}


def test_import_dry_run_lists_problems_then_applies(page: Page, api: Api) -> None:
    sign_in(page, "content_editor")
    page.goto("/console/#/import")
    bad = worlds.curriculum()
    bad["concepts"][1]["name"] = ""
    bad["questions"][0]["concepts"] = [{"id": "nowhere", "weight": 1.0}]
    upload = page.get_by_label("Curriculum document (JSON)")
    upload.set_input_files(
        {"name": "bad.json", "mimeType": "application/json", "buffer": json.dumps(bad).encode()}
    )
    problems = page.get_by_test_id("dry-run-problems")
    expect(problems).to_contain_text("concepts[1].name")
    expect(problems).to_contain_text("nothing was written")
    shot(page, "import-dry-run-problems")
    assert api.call("GET", "/v1/content/version", "analyst")["version"] == 0

    good = json.dumps(worlds.curriculum()).encode()
    upload.set_input_files({"name": "good.json", "mimeType": "application/json", "buffer": good})
    expect(page.get_by_test_id("dry-run-ok")).to_contain_text("Applying would change")
    assert api.call("GET", "/v1/content/version", "analyst")["version"] == 0
    page.get_by_role("button", name="Apply import").click()
    expect(page.get_by_test_id("import-applied")).to_contain_text("content version 1")
    shot(page, "import-applied")
    assert len(api.call("GET", "/v1/content/graph", "analyst")["concepts"]) == 4


def test_audit_shows_a_changes_diff(page: Page, api: Api) -> None:
    api.call("POST", "/v1/content/import", "content_editor", json=worlds.curriculum())
    api.call(
        "PATCH", "/v1/concepts/b", "content_editor", json={"name": "Addition", "description": "sums"}
    )
    sign_in(page, "analyst")
    page.goto("/console/#/audit")
    page.get_by_label("Entity").select_option("concept")
    page.get_by_role("button", name="Filter").click()
    change = page.locator("details.change").first
    expect(change).to_contain_text("update concept b")
    change.locator("summary").click()
    diff = change.get_by_role("table", name="Diff of b")
    expect(diff.locator("tr.changed", has_text="name")).to_contain_text("Adding")
    expect(diff.locator("tr.changed", has_text="name")).to_contain_text("Addition")
    shot(page, "audit-diff")


def test_experiment_created_started_and_results_with_srm(page: Page, api: Api, db: Driver) -> None:
    api.call("POST", "/v1/content/import", "content_editor", json=worlds.curriculum())
    sign_in(page, "experimenter")
    page.goto("/console/#/experiments")
    expect(page.get_by_text("No experiments yet.")).to_be_visible()
    page.get_by_role("button", name="New experiment").click()
    form = page.get_by_role("form", name="New experiment")
    form.get_by_label("Key", exact=True).fill("target-p-07")
    form.get_by_label("Arm 2 weight").fill("0.7")
    expect(form.get_by_text("arm weights must sum to 1 (they sum to 1.2)")).to_be_visible()
    form.get_by_label("Arm 2 weight").fill("0.5")
    form.get_by_role("button", name="Add setting to arm 2").click()
    form.get_by_label("Setting").select_option("target_p")
    form.get_by_label("Value (0.05–0.95)").fill("1.5")
    expect(form.get_by_text("must be between 0.05 and 0.95")).to_be_visible()
    form.get_by_label("Value (0.05–0.95)").fill("0.7")
    shot(page, "experiment-form")
    form.get_by_role("button", name="Create draft").click()
    page.get_by_role("link", name="target-p-07").click()
    page.get_by_role("button", name="Start").click()
    page.get_by_role("dialog").get_by_role("button", name="Yes, start").click()
    expect(page.locator(".badge.running")).to_be_visible()
    assert api.call("GET", "/v1/experiments/target-p-07", "analyst")["arms"][1]["overrides"] == {
        "target_p": 0.7
    }

    # A constructed experiment whose arms were exposed 3:1 against 1:1 weights.
    api.call(
        "POST",
        "/v1/experiments",
        "experimenter",
        json={
            "key": "skewed",
            "control": "control",
            "primary_metrics": ["attempts", "accuracy"],
            "guardrail_metrics": ["dismissals"],
            "arms": [
                {"name": "control", "weight": 0.5},
                {"name": "easy", "weight": 0.5, "overrides": {"target_p": 0.7}},
            ],
        },
    )
    api.call("POST", "/v1/experiments/skewed/start", "experimenter")
    worlds.expose(db, "skewed", {"control": 150, "easy": 50})
    api.call("POST", "/v1/experiments/skewed/stop", "experimenter")
    page.goto("/console/#/experiments/skewed")
    expect(page.get_by_test_id("srm-banner")).to_contain_text("Sample ratio mismatch")
    # One p-value format everywhere: the banner writes the SRM p as the API's summary does.
    srm_p = format_p(api.call("GET", "/v1/experiments/skewed/results", "analyst")["srm_p_value"])
    expect(page.get_by_test_id("srm-banner")).to_contain_text(f"p = {srm_p}")
    expect(page.get_by_role("list", name="Summary").get_by_role("listitem").first).to_contain_text(
        f"p = {srm_p}"
    )
    # One block per metric, each on its own axis; the heading says what is drawn.
    for metric in ("attempts", "accuracy"):
        expect(page.get_by_test_id(f"forest-{metric}")).to_contain_text("easy")
    expect(page.get_by_role("heading", name="each metric on its own axis")).to_be_visible()
    expect(page.get_by_role("img", name="Cumulative exposures per arm by day")).to_contain_text(
        "control: 150"
    )
    shot(page, "experiment-results")


def test_models_reliability_diagram_compare_and_activate(page: Page, api: Api, db: Driver) -> None:
    worlds.model_versions(db)
    sign_in(page, "analyst")
    page.goto("/console/#/models")
    diagram = page.get_by_test_id("reliability")
    expect(diagram.locator("circle")).to_have_count(10)
    expect(page.get_by_role("button", name="Activate")).to_have_count(0)
    page.get_by_label("Compare with").select_option("m-2026-02")
    expect(diagram.locator("polyline")).to_have_count(2)
    served = page.get_by_role("table", name="Comparison").get_by_role("row", name="served next items")
    expect(served).to_contain_text("none served yet")  # the first version was fitted on no served items
    expect(served).to_contain_text("1840 answers: predicted 0.541, right 0.499; offset -0.173")
    shot(page, "models")
    sign_in(page, "admin")
    page.goto("/console/#/models")
    page.get_by_role("button", name="Activate").click()
    page.get_by_role("dialog").get_by_role("button", name="Activate").click()
    expect(page.get_by_role("row", name="m-2026-02").first).to_contain_text("active")
    versions = api.call("GET", "/v1/admin/models", "admin")["items"]
    assert [m["id"] for m in versions if m["active"]] == ["m-2026-02"]


def test_learner_mastery_on_the_graph(page: Page, api: Api) -> None:
    api.call("POST", "/v1/content/import", "content_editor", json=worlds.curriculum())
    now = datetime.now(UTC)
    attempts = [
        {
            "attempt_id": f"s1-{c}-{i}",
            "user_id": "s-1",
            "question_id": f"q-{c}-{i % 2}",
            "correct": c == "a" or i % 2 == 0,
            "at": (now - timedelta(days=5 - i, seconds=1)).isoformat(),
            "time_spent_ms": 30_000,
        }
        for i in range(6)
        for c in ("a", "b")
    ]
    api.call("POST", "/v1/attempts", "learner_app", json={"attempts": attempts})
    api.call(
        "POST", "/v1/recommendations", "learner_app", json={"user_id": "s-1", "units": ["math"], "n": 3}
    )
    sign_in(page, "analyst")
    page.goto("/console/#/learners")
    page.get_by_label("Find a learner (id or name)").fill("s-1")
    page.get_by_role("button", name="Find").click()
    page.get_by_role("button", name="s-1").click()
    graph_ready(page)
    practised = len(api.call("GET", "/v1/users/s-1/mastery?limit=500", "analyst")["items"])
    assert practised >= 1
    expect(page.get_by_test_id("graph")).to_have_attribute("data-painted", str(practised))
    page.get_by_label("Gaps toward concept").select_option("v")
    expect(page.get_by_role("list", name="Gaps, root first")).to_contain_text("Multiplying")
    expect(page.get_by_role("gridcell", name=f"{now.date().isoformat()}: 2 questions")).to_be_visible()
    expect(page.get_by_role("table").filter(has_text="question")).to_contain_text("q-b-")
    recommendation = page.locator("details", has_text="items")
    recommendation.first.locator("summary").click()
    expect(recommendation.first.locator("li li").first).to_be_visible()  # a reason a student could read
    shot(page, "learner")


def test_every_page_as_admin_and_a_flag_resolved(page: Page, api: Api, db: Driver) -> None:
    api.call("POST", "/v1/content/import", "content_editor", json=worlds.curriculum())
    worlds.broken_reports(db, "q-a-1", users=3)
    sign_in(page, "admin")
    names = {
        "Concept graph": "graph",
        "Units": "units",
        "Questions": "questions",
        "Import & export": "import",
        "Audit": "audit",
        "Flags": "flags",
        "Experiments": "experiments",
        "Models": "models",
        "Learners": "learners",
    }
    for label, name in names.items():
        page.get_by_role("navigation", name="Pages").get_by_role("link", name=label).click()
        expect(page.get_by_role("status")).to_have_count(0)  # nothing still loading
        if name == "graph":
            graph_ready(page)
        shot(page, f"page-{name}")
    page.get_by_role("navigation", name="Pages").get_by_role("link", name="Flags").click()
    row = page.get_by_role("row", name="q-a-1")
    expect(row).to_contain_text("3")
    row.get_by_role("button", name="Resolve q-a-1").click()
    expect(page.get_by_text("No open flags")).to_be_visible()
    page.get_by_role("navigation", name="Pages").get_by_role("link", name="Questions").click()
    page.get_by_role("button", name="q-b-0").click()
    editor = page.get_by_role("form", name="Question editor")
    editor.get_by_label("Text").fill("How many apples are two apples and one apple?")
    expect(editor.get_by_label("Preview")).to_contain_text("How many apples")
    editor.get_by_role("button", name="Save").click()
    expect(editor).to_have_count(0)
    assert api.call("GET", "/v1/questions/q-b-0", "analyst")["text"].startswith("How many apples")
    page.set_viewport_size({"width": 390, "height": 844})
    page.get_by_role("navigation", name="Pages").get_by_role("link", name="Concept graph").click()
    graph_ready(page)
    shot(page, "narrow-graph")


def test_a_2000_concept_graph_is_usable(page: Page, api: Api) -> None:
    api.call("POST", "/v1/content/import", "content_editor", json=worlds.layered_curriculum(2000))
    sign_in(page, "content_editor")
    page.goto("/console/#/graph")
    graph_ready(page)
    expect(page.get_by_text("2000 concepts")).to_be_visible()
    page.get_by_label("Find a concept").fill("c-1999")
    page.get_by_role("button", name="Find").click()
    panel = page.get_by_role("region", name="Concept Concept 1999")
    expect(panel.get_by_role("heading", name="Prerequisites")).to_be_visible()
    page.get_by_label("math").uncheck()
    shot(page, "graph-2000")


AXE = PROJECT_ROOT / "console" / "node_modules" / "axe-core" / "axe.min.js"
# Every focusable control the page shows (what a keyboard user must be able to reach).
CONTROLS_JS = """() => {
  const all = [...document.querySelectorAll(
    'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]),'
    + ' textarea:not([disabled]), summary, [tabindex]:not([tabindex="-1"])')];
  // checkVisibility: not hidden by display, visibility or a closed <details>
  const shown = all.filter((el) => el.checkVisibility({visibilityProperty: true}));
  shown.forEach((el, i) => el.setAttribute('data-kb', String(i)));
  return shown.map(
    (el) => (el.getAttribute('aria-label') || el.textContent || el.name || el.tagName).trim().slice(0, 40));
}"""


def tab_through(page: Page) -> None:
    """Tab from the top of the page until focus comes back round; every control must be reached."""
    controls = page.evaluate(CONTROLS_JS)
    page.evaluate("document.activeElement && document.activeElement.blur()")
    reached: set[int] = set()
    for _ in range(2 * len(controls) + 10):  # scrollable boxes are tab stops too in chromium
        page.keyboard.press("Tab")
        index = page.evaluate("document.activeElement?.getAttribute('data-kb')")
        if index is not None:
            reached.add(int(index))
        if len(reached) == len(controls):
            break
    missed = [name for i, name in enumerate(controls) if i not in reached]
    assert controls and not missed, f"{page.url}: not reached by Tab: {missed}"


def axe_problems(page: Page) -> list[str]:
    """axe-core's WCAG 2 A checks (names and labels of controls, images, roles), bundled from npm."""
    page.add_script_tag(path=str(AXE))
    report = page.evaluate("axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a']}})")
    return [f"{v['id']}: {[n['target'] for n in v['nodes']][:3]}" for v in report["violations"]]


def test_every_control_reached_by_keyboard_and_labelled(page: Page, api: Api, db: Driver) -> None:
    api.call("POST", "/v1/content/import", "content_editor", json=worlds.curriculum())
    worlds.broken_reports(db, "q-a-1", users=2)
    experiment = {
        "key": "kb", "control": "control", "primary_metrics": ["attempts"],
        "arms": [{"name": "control", "weight": 0.5}, {"name": "easy", "weight": 0.5}],
    }
    api.call("POST", "/v1/experiments", "experimenter", json=experiment)
    api.call("POST", "/v1/experiments/kb/start", "experimenter")
    worlds.expose(db, "kb", {"control": 20, "easy": 20})
    sign_in(page, "admin")
    problems = {}
    for path in ("graph", "units", "questions", "import", "audit", "flags", "experiments",
                 "experiments/kb", "models", "learners"):
        if path == "models":  # after the results page: these versions have no vectors to load
            worlds.model_versions(db)
        page.goto(f"/console/#/{path}")
        expect(page.get_by_role("status")).to_have_count(0)
        if path == "graph":
            graph_ready(page)
        tab_through(page)
        problems[path] = axe_problems(page)
    assert all(not found for found in problems.values()), problems

    # The concept graph by keyboard: type in the search box, Tab to a match, Enter opens its panel.
    page.goto("/console/#/graph")
    graph_ready(page)
    page.get_by_label("Find a concept").focus()
    page.keyboard.type("Adding")
    matches = page.get_by_role("list", name="Matching concepts")
    expect(matches.get_by_role("button")).not_to_have_count(0)
    page.keyboard.press("Tab")  # the Find button
    page.keyboard.press("Tab")  # the first match
    expect(matches.get_by_role("button").first).to_be_focused()
    page.keyboard.press("Enter")
    panel = page.get_by_role("region", name=re.compile("^Concept "))
    expect(panel.get_by_role("heading", level=2)).to_be_focused()
    expect(panel.get_by_role("list", name="Units")).to_be_visible()
