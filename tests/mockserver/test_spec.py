"""openapi.yaml is a valid OpenAPI document that states every status and representation of the contract."""

from __future__ import annotations

import yaml
from openapi_spec_validator import validate

from mockserver.api.served import ServedApi
from mockserver.resources import SPEC_PATH

DOCUMENT = yaml.safe_load(SPEC_PATH.read_text())
OPERATION = DOCUMENT["paths"]["/{accountKey}/agents/{agentId}/latestInteractions"]["get"]


def test_spec_is_valid_openapi() -> None:
    validate(DOCUMENT)


def test_every_status_of_the_contract_is_declared() -> None:
    assert set(OPERATION["responses"]) == {"200", "400", "401", "403", "404", "405", "406"}


def test_200_has_both_versions_as_media_types() -> None:
    assert set(OPERATION["responses"]["200"]["content"]) == {"application/json;version=1", "application/json;version=2"}


def test_401_declares_www_authenticate_and_405_allow() -> None:
    assert OPERATION["responses"]["401"]["headers"]["WWW-Authenticate"]["required"] is True
    assert OPERATION["responses"]["405"]["headers"]["Allow"]["required"] is True


def test_items_allow_no_extra_properties() -> None:
    schemas = DOCUMENT["components"]["schemas"]
    for name in ("InteractionsV1", "InteractionV1", "InteractionsV2", "InteractionV2", "Message"):
        assert schemas[name]["additionalProperties"] is False
    assert "direction" not in schemas["InteractionV2"]["required"]
    assert schemas["InteractionV2"]["properties"]["duration"]["nullable"] is True


def test_description_states_what_openapi_cannot() -> None:
    for section in ("## Check order", "## Negotiation", "## Version 1", "## Version 2", "## Cross-version invariants"):
        assert section in OPERATION["description"]


def test_route_and_parameters_are_read_from_the_spec() -> None:
    spec = ServedApi.load().api
    assert spec.route_template == "/v0/{accountKey}/agents/{agentId}/latestInteractions"
    match = spec.route_pattern().match("/v0/a1b2c3d4e5/agents/agent-7/latestInteractions")
    assert match is not None and match.groupdict() == {"accountKey": "a1b2c3d4e5", "agentId": "agent-7"}
    assert spec.parameters["size"] == {"type": "integer", "minimum": 1, "maximum": 100, "default": 1}
