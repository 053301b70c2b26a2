"""The Kubernetes manifests (deploy/kubernetes/): valid against the Kubernetes schemas (kubernetes-validate,
strict: no unknown field), and saying what the mock does (its options, its health route, its token's
variable, the default fixtures)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from mockserver.cli import ADMIN_TOKEN_VARIABLE, build_parser
from mockserver.resources import DEFAULT_FIXTURES

ROOT = Path(__file__).resolve().parents[2]
MANIFESTS = ROOT / "deploy" / "kubernetes"
KUBERNETES_VERSION = "1.30.0"
"""The oldest version still supported upstream when this was written; newer ones accept these too."""


def _resources() -> list[tuple[str, dict[str, Any]]]:
    found = []
    for path in sorted(MANIFESTS.glob("*.yaml")):
        if path.name == "kustomization.yaml":
            continue
        found += [(path.name, document) for document in yaml.safe_load_all(path.read_text()) if document]
    return found


def _kind(kind: str, name: str = "latest-interactions-mock") -> dict[str, Any]:
    (found,) = [r for _, r in _resources() if r["kind"] == kind and r["metadata"]["name"] == name]
    return found


@pytest.mark.parametrize("version", [KUBERNETES_VERSION, kubernetes_validate.latest_version()])
@pytest.mark.parametrize(("file", "resource"), _resources(), ids=lambda v: v if isinstance(v, str) else v["kind"])
def test_every_manifest_is_valid(file: str, resource: dict[str, Any], version: str) -> None:
    kubernetes_validate.validate(resource, version, strict=True)


def test_kustomization_lists_every_manifest() -> None:
    listed = yaml.safe_load((MANIFESTS / "kustomization.yaml").read_text())["resources"]
    assert sorted(listed) == sorted(p.name for p in MANIFESTS.glob("*.yaml") if p.name != "kustomization.yaml")


def test_the_workers_run_the_mock_with_options_it_has() -> None:
    (container,) = _kind("Deployment")["spec"]["template"]["spec"]["containers"]
    parsed = build_parser().parse_args(["run", *container["args"]])
    assert parsed.store == "redis://latest-interactions-redis:6379/0"
    assert str(parsed.fixtures) == "/fixtures/fixtures.yaml"
    (variable,) = container["env"]
    assert variable["name"] == ADMIN_TOKEN_VARIABLE
    assert (
        variable["valueFrom"]["secretKeyRef"]["name"]
        == _kind("Secret", "latest-interactions-admin")["metadata"]["name"]
    )
    for probe in ("readinessProbe", "livenessProbe"):
        assert container[probe]["httpGet"]["path"] == "/__admin/health"


def test_replicas_are_free_to_scale_and_disruptions_leave_one() -> None:
    deployment = _kind("Deployment")
    assert deployment["spec"]["replicas"] >= 2
    assert _kind("PodDisruptionBudget")["spec"]["minAvailable"] == 1
    assert _kind("HorizontalPodAutoscaler")["spec"]["scaleTargetRef"]["name"] == deployment["metadata"]["name"]
    assert deployment["spec"]["template"]["spec"]["terminationGracePeriodSeconds"] >= 5


def test_the_fixtures_config_map_is_the_default_fixtures() -> None:
    held = _kind("ConfigMap", "latest-interactions-fixtures")["data"]["fixtures.yaml"]
    assert yaml.safe_load(held) == yaml.safe_load(DEFAULT_FIXTURES.read_text())
