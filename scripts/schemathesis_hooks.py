"""Schemathesis hooks for care-atlas (loaded by scripts/schemathesis.sh).

openapi/openapi.json states every rule of each parameter that OpenAPI can state (required
parameters, ranges, enums, patterns), so schemathesis' positive-data check holds the document to
being exactly as strict as the server. A few rules are beyond OpenAPI: they join parameters, or
depend on the data imported. Each is stated in the parameter's description, and listed below with
how to recognise it. The check `positive_data_acceptance_beyond_openapi` replaces the built-in
`positive_data_acceptance`: it runs it, and lets a refusal pass only when the problem document
names one of these rules and, for the rules that join parameters, the request indeed breaks it.
Anything else the document allows and the server refuses is still a finding.

`negative_data_rejection_with_size_limit` replaces the built-in `negative_data_rejection` the same
way, for one refusal its list leaves out: 413 `body-too-large` for a body over the size limit.
"""

from __future__ import annotations

import json
import math
import os
import re

import schemathesis
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance


def _given(query: dict, name: str) -> bool:
    return query.get(name) is not None


def _breaks_one_origin(query: dict) -> bool:
    """`/nearest` takes exactly one origin: `lat` and `lon` together, or `from`, or `address`."""
    lat, lon = _given(query, "lat"), _given(query, "lon")
    origins = (lat or lon) + _given(query, "from") + _given(query, "address")
    return origins != 1 or lat != lon


def _breaks_centre_pair(query: dict) -> bool:
    """`/embed` takes its centre as `lat` and `lon` together."""
    return _given(query, "lat") != _given(query, "lon")


def _breaks_point_ranges(query: dict) -> bool:
    """The planner's `add` points, whose form a pattern states, have latitudes and longitudes in
    range; a pattern cannot state a range."""
    for point in str(query.get("add") or "").split(";"):
        lat, _, lon = point.partition(",")
        try:
            lat_f, lon_f = float(lat), float(lon)
        except ValueError:
            return False
        if not (math.isfinite(lat_f) and -90 <= lat_f <= 90 and -180 <= lon_f <= 180):
            return True
    return False


def _breaks_bbox_order(query: dict) -> bool:
    """An OGC `bbox` has west ≤ east and south ≤ north."""
    value = query.get("bbox")
    numbers = value if isinstance(value, list) else str(value or "").split(",")
    try:
        west, south, east, north = (float(n) for n in numbers)
    except ValueError:
        return False
    return west > east or south > north


def _always(query: dict) -> bool:
    return True


# (operation, problem type, parameter, detail, the request breaks the rule): a refusal passes when
# all match. Rules that depend on the data imported are judged by the server, which holds it.
BEYOND_OPENAPI = [
    # Joining parameters.
    (r"GET /nearest", r"conflicting-parameters|missing-parameter", r"lat|lon|from|address", r".*", _breaks_one_origin),
    (r"GET /embed", r"invalid-parameter", r"lat|lon", r"was given without", _breaks_centre_pair),
    (r"GET /collections/\{collectionId\}/items", r"invalid-parameter", r"bbox", r"is inverted", _breaks_bbox_order),
    # A path parameter and a query parameter: kinds and files are for facilities only.
    (r"GET /collections/\{collectionId\}/items", r"invalid-parameter", r"kind|f", r"facilities only|only facilities", _always),
    # A range inside a pattern.
    (r"GET /planner(/report)?", r"invalid-parameter", r"add", r".*", _breaks_point_ranges),
    # The data imported: the study area's towns, the towns on the map, facility ids, the
    # gazetteer's addresses, the kinds with a source and the population model's groups.
    (r".*", r"invalid-parameter", r"area", r"is not in the study area|is not mapped", _always),
    (r"GET /nearest", r"invalid-parameter", r"address", r".*", _always),
    (r"GET /planner(/report)?", r"invalid-parameter", r"remove", r"no facility has the id", _always),
    (r"POST /scenarios", r"invalid-parameter", r"remove\[\d+\]", r"no facility has the id", _always),
    (r".*", r"no-source", r"kind", r".*", _always),
    (r".*", r"invalid-parameter", r"population", r"does not know", _always),
    # A distance from the study area's bounds, which no JSON Schema range can state.
    (r"POST /scenarios", r"invalid-parameter", r"add\[\d+\]", r"km from the study area", _always),
    # The body's size in bytes, which JSON Schema cannot count.
    (r"POST /scenarios", r"body-too-large", r"body", r".*", _always),
]


def _beyond_openapi(response, case) -> bool:
    if response.status_code not in (400, 413):
        return False
    try:
        problem = json.loads(response.content)
    except ValueError:
        return False
    if not isinstance(problem, dict):
        return False
    kind = str(problem.get("type", "")).removeprefix("urn:care-atlas:problem:")
    parameter = str(problem.get("parameter", ""))
    detail = str(problem.get("detail", ""))
    query = case.query or {}
    for operation, kinds, parameters, details, breaks in BEYOND_OPENAPI:
        if (
            re.fullmatch(operation, case.operation.label)
            and re.fullmatch(kinds, kind)
            and re.fullmatch(parameters, parameter)
            and re.search(details, detail)
            and breaks(query)
        ):
            _record(f"{case.operation.label} {kind} {parameter}")
            return True
    return False


def _record(rule: str) -> None:
    """Notes a tolerated refusal in $CARE_ATLAS_TOLERATED, so that the script can count them."""
    path = os.environ.get("CARE_ATLAS_TOLERATED")
    if path:
        with open(path, "a", encoding="utf-8") as log:
            log.write(rule + "\n")


@schemathesis.check
def positive_data_acceptance_beyond_openapi(ctx, response, case):
    """`positive_data_acceptance`, but for the rules listed in `BEYOND_OPENAPI`."""
    try:
        return positive_data_acceptance(ctx, response, case)
    except AssertionError:
        if _beyond_openapi(response, case):
            return None
        raise


@schemathesis.check
def negative_data_rejection_with_size_limit(ctx, response, case):
    """`negative_data_rejection`, with one more way to refuse: 413 with the `body-too-large`
    problem, for a body over the server's size limit. A generated invalid body can be that large
    too, and the size is checked before the content; 413 is the status RFC 9110 gives it, which the
    built-in check's list of refusals (400, 422, ...) leaves out."""
    if response.status_code == 413:
        try:
            problem = json.loads(response.content)
        except ValueError:
            problem = None
        if isinstance(problem, dict) and problem.get("type") == "urn:care-atlas:problem:body-too-large":
            return None
    return negative_data_rejection(ctx, response, case)
