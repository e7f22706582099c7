"""Schemathesis against the app's own OpenAPI spec, in-process: every route fuzzed, no 5xx in
>= 2,000 generated requests (valid and invalid parameters, beyond-int64 numbers included)."""
from __future__ import annotations

from collections import Counter

import publish_support as ps
import pytest
import schemathesis
from hypothesis import HealthCheck, given, seed, settings

from aiatlas.web.app import create_app

MIN_REQUESTS = 2000

# one worker runs the whole module, so its module fixtures are built once
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("publish-fuzz")]


@pytest.fixture(scope="module")
def test_indicators():
    """Both apps serve the test-only indicators beside the real ones, so both publish one and
    the same OpenAPI document."""
    with ps.test_indicators():
        yield


@pytest.fixture(scope="module")
def fixture_app(tmp_path_factory, test_indicators):
    """The app over the tiny fixture warehouse."""
    home = tmp_path_factory.mktemp("fuzzhome")
    ps.write_warehouse(home)
    return create_app(home=home)


@pytest.fixture(scope="module", params=["fixture", pytest.param("mirror", marks=pytest.mark.mirror)])
def app(request, fixture_app, test_indicators):
    """The app over the tiny fixture warehouse, or over the real one."""
    if request.param == "mirror":
        return create_app(home=request.getfixturevalue("built_home"))
    return fixture_app


@pytest.fixture(scope="module")
def generated(fixture_app):
    """The OpenAPI document, its operations and the requests generated from it, drawn once for
    both apps. Drawing is most of the fuzzing's CPU, and what Hypothesis draws under a fixed seed
    depends on the document alone, never on the answers (no test body fails while drawing), so
    drawing again for the second app would draw these same requests."""
    schema = schemathesis.openapi.from_asgi("/openapi.json", fixture_app)
    modes = schemathesis.GenerationMode
    operations = [result.ok() for result in schema.get_all_operations()]
    cases: list = []

    # Routes with few parameters run out of distinct examples early; further seeded rounds
    # (fixed seeds: reproducible) bring the total to MIN_REQUESTS, each round's share of the
    # shortfall spread over every route (a full share again drew 2,608 cases: drawing is what
    # costs, ~10 ms a case)
    for round_ in range(8):
        per_route = -(-(MIN_REQUESTS - len(cases)) // len(operations))  # every route its share
        for op in operations:
            strategy = (op.as_strategy(generation_mode=modes.POSITIVE)
                        | op.as_strategy(generation_mode=modes.NEGATIVE))

            @seed(round_)
            @settings(max_examples=per_route, deadline=None, database=None,
                      suppress_health_check=list(HealthCheck))
            @given(case=strategy)
            def draw(case):
                cases.append(case)

            draw()
        if len(cases) >= MIN_REQUESTS:
            break
    return fixture_app.openapi(), operations, cases


def test_no_server_errors_in_generated_requests(app, generated):
    document, operations, cases = generated
    assert app.openapi() == document  # the requests are the ones drawn from this app's document
    statuses: Counter = Counter()
    routes: Counter = Counter()
    failures = []
    for case in cases:
        response = case.call(app=app)
        statuses[response.status_code] += 1
        routes[f"{case.method} {case.path}"] += 1  # the case's own route template
        if response.status_code >= 500:
            failures.append(f"{case.method} {case.formatted_path} {case.query}: "
                            f"{response.text[:200]}")
    assert sum(statuses.values()) >= MIN_REQUESTS, statuses
    assert len(routes) == len(operations), routes  # no route left unfuzzed
    assert not failures, failures[:5]
    assert statuses[200] > 0 and statuses[422] > 0  # both valid and rejected requests were made
