"""Schemathesis against the app's own OpenAPI spec, in-process: no 5xx in >= 300 generated requests."""
from __future__ import annotations

from collections import Counter

import publish_support as ps
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from aiatlas.web.app import create_app

EXAMPLES = 330

# one worker runs the whole module, so its module fixtures are built once
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("publish-fuzz")]


@pytest.fixture(scope="module", params=["fixture", pytest.param("mirror", marks=pytest.mark.mirror)])
def app(request, tmp_path_factory):
    """The app over the tiny fixture warehouse (with test indicators), or over the real one."""
    if request.param == "mirror":
        yield create_app(home=request.getfixturevalue("built_home"))
        return
    home = tmp_path_factory.mktemp("fuzzhome")
    ps.write_warehouse(home)
    ps.register_test_indicators()
    yield create_app(home=home)
    ps.unregister_test_indicators()


def test_no_server_errors_in_generated_requests(app):
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    modes = schemathesis.GenerationMode
    strategy = (schema.as_strategy(generation_mode=modes.POSITIVE)
                | schema.as_strategy(generation_mode=modes.NEGATIVE))
    statuses: Counter = Counter()
    failures = []

    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(case=strategy)
    def run(case):
        response = case.call()
        statuses[response.status_code] += 1
        if response.status_code >= 500:
            failures.append(f"{case.method} {case.formatted_path} {case.query}: {response.text[:200]}")

    run()
    assert sum(statuses.values()) >= 300, statuses
    assert not failures, failures[:5]
    assert statuses[200] > 0 and statuses[422] > 0  # both valid and rejected requests were made
