"""compose.yaml and deploy/k8s, read with PyYAML and checked against this code: probes name real endpoints,
every variable named is one some part reads, Services reach real container ports, and no secret is written."""

from __future__ import annotations

import ast
import re
from typing import Any

import pytest
import yaml
from fastapi.routing import APIRoute

from api.main import create_app
from api.settings import ROOT, Settings
from tests.support.variables import rasa_endpoint_variables, settings_variables

K8S = sorted((ROOT / "deploy" / "k8s").glob("*.yaml"))
SECRET_EXAMPLE = ROOT / "deploy" / "secret.example.yaml"
COMPOSE = ROOT / "compose.yaml"
SECRET_WORDS = ("SECRET", "TOKEN", "KEY", "PASSWORD", "DATABASE_URL", "STORE_URL")
# What holds a Rasa server's torch, TensorFlow and BLAS to a number of compute threads (scripts/stack.py).
THREAD_VARIABLES = (
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "TF_INTRA_OP_PARALLELISM_THREADS",
    "TF_INTER_OP_PARALLELISM_THREADS",
)
# Variables other code reads, each with the file that reads it (checked to mention it).
READ_ELSEWHERE = {
    "CA_TRACKER_SEAL_KEY": "bot/privacy/sealing.py",
    "SANIC_HOST": "bot/action_server.py",
    "SANIC_KEEP_ALIVE_TIMEOUT": "scripts/stack.py",  # Sanic itself reads it
    "PROMETHEUS_MULTIPROC_DIR": "api/observability/metrics.py",
    # torch, BLAS and Rasa (for TensorFlow) read these; the stack sets them for each of several Rasa servers
    **dict.fromkeys(THREAD_VARIABLES, "scripts/stack.py"),
}


def api_paths() -> set[str]:
    """Every route path of the API (the app is built, not started: no database is opened)."""
    app = create_app(
        Settings(
            environment="test",
            database_url=f"sqlite:///{ROOT / 'var' / 'unused.db'}",
            purge_interval_seconds=0,
            document_retry_seconds=0,
        )
    )
    return {route.path for route in app.routes if isinstance(route, APIRoute)}


def action_server_paths() -> set[str]:
    """The action server's unauthenticated paths (bot/action_server.py OPEN_PATHS), read without importing Sanic."""
    tree = ast.parse((ROOT / "bot" / "action_server.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "OPEN_PATHS":
            return set(ast.literal_eval(node.value))
    raise AssertionError("OPEN_PATHS not found")


# Rasa's own endpoints (not this code's): "/" answers when the server is up, the REST channel's
# "/webhooks/rest/" once the model is loaded; scripts/stack.py waits on the latter too.
RASA_PATHS = {"/", "/webhooks/rest/"}


def known_variables() -> set[str]:
    """Every environment variable some part of this code reads."""
    names = settings_variables() | rasa_endpoint_variables()
    for name, reader in READ_ELSEWHERE.items():
        assert f'"{name}"' in (ROOT / reader).read_text(), f"{reader} no longer reads {name}"
        names.add(name)
    return names


def k8s_documents() -> list[dict[str, Any]]:
    return [doc for path in K8S for doc in yaml.safe_load_all(path.read_text()) if doc]


def of_kind(kind: str) -> list[dict[str, Any]]:
    return [doc for doc in k8s_documents() if doc["kind"] == kind]


def workloads() -> list[dict[str, Any]]:
    """The Deployments and StatefulSets: everything that runs a container."""
    return of_kind("Deployment") + of_kind("StatefulSet")


def rasa_urls(value: str) -> list[tuple[str, int]]:
    """The (host, port) of each Rasa server in a CA_RASA_URL comma list."""
    found = [re.fullmatch(r"http://([\w.-]+):(\d+)", url.strip()) for url in value.split(",")]
    assert all(found), value
    return [(match.group(1), int(match.group(2))) for match in found if match]


def component(container: dict[str, Any]) -> str:
    command = " ".join(container.get("command", []))
    if "uvicorn api.main" in command:
        return "api"
    if "rasa run" in command:
        return "rasa"
    if "bot.action_server" in command:
        return "actions"
    raise AssertionError(f"unknown container command: {command}")


def test_there_are_manifests_for_every_part() -> None:
    assert K8S, "deploy/k8s holds no manifests"
    deployed = {component(c) for d in workloads() for c in d["spec"]["template"]["spec"]["containers"]}
    assert deployed == {"api", "rasa", "actions"}
    assert {d["kind"] for d in k8s_documents()} >= {"Deployment", "StatefulSet", "Service", "ConfigMap"}


def test_every_deployment_probes_real_endpoints_on_its_own_ports() -> None:
    paths = {"api": api_paths(), "rasa": RASA_PATHS, "actions": action_server_paths()}
    assert {"/api/health", "/api/ready"} <= paths["api"]
    for deployment in workloads():
        template = deployment["spec"]["template"]
        assert deployment["spec"]["selector"]["matchLabels"].items() <= template["metadata"]["labels"].items()
        for container in template["spec"]["containers"]:
            ports = {port["name"] for port in container["ports"]}
            for probe in ("livenessProbe", "readinessProbe"):
                check = container[probe]["httpGet"]
                assert check["path"] in paths[component(container)], (deployment["metadata"]["name"], probe)
                assert check["port"] in ports
    api = next(
        c for d in of_kind("Deployment") for c in d["spec"]["template"]["spec"]["containers"] if component(c) == "api"
    )
    assert api["readinessProbe"]["httpGet"]["path"] == "/api/ready"
    assert api["livenessProbe"]["httpGet"]["path"] == "/api/health"


def test_services_select_a_deployment_and_reach_its_container_ports() -> None:
    deployments = workloads()
    for service in of_kind("Service"):
        selector = service["spec"]["selector"]
        [target] = [d for d in deployments if selector.items() <= d["spec"]["template"]["metadata"]["labels"].items()]
        ports = {
            p["name"]: p["containerPort"] for c in target["spec"]["template"]["spec"]["containers"] for p in c["ports"]
        }
        for port in service["spec"]["ports"]:
            assert port["targetPort"] in ports
            assert port["port"] == ports[port["targetPort"]]


def test_urls_in_the_config_map_name_real_services_and_ports() -> None:
    [config] = of_kind("ConfigMap")
    services = {s["metadata"]["name"]: {p["port"] for p in s["spec"]["ports"]} for s in of_kind("Service")}
    for name in ("CA_BACKOFFICE_URL", "CA_ACTION_ENDPOINT"):
        host, port = re.match(r"http://([\w-]+):(\d+)", config["data"][name]).groups()  # type: ignore[union-attr]
        assert int(port) in services[host], name


def test_the_hub_is_given_every_rasa_server_by_its_stable_name_not_one_service() -> None:
    """The hub spreads conversations over the list and fails over along it, so the list must name each server:
    one per StatefulSet replica, through the headless Service (one cluster IP would hide which server is down)."""
    [config] = of_kind("ConfigMap")
    [rasa] = of_kind("StatefulSet")
    [service] = [s for s in of_kind("Service") if s["metadata"]["name"] == rasa["spec"]["serviceName"]]
    assert service["spec"]["clusterIP"] == "None", "the Rasa Service must be headless: one DNS name per server"
    assert service["spec"]["selector"].items() <= rasa["spec"]["template"]["metadata"]["labels"].items()
    port = next(p["port"] for p in service["spec"]["ports"])
    name, replicas = rasa["metadata"]["name"], rasa["spec"]["replicas"]
    expected = [(f"{name}-{n}.{service['metadata']['name']}", port) for n in range(replicas)]
    assert rasa_urls(config["data"]["CA_RASA_URL"]) == expected
    assert replicas >= 2


def test_every_variable_named_is_read_by_the_code_and_secrets_come_from_the_secret() -> None:
    known = known_variables()
    [config] = of_kind("ConfigMap")
    assert set(config["data"]) <= known, set(config["data"]) - known
    assert not [name for name in config["data"] if any(word in name for word in SECRET_WORDS)]
    assert not of_kind("Secret"), "a Secret in deploy/k8s would overwrite the real one on kubectl apply"
    secret = yaml.safe_load(SECRET_EXAMPLE.read_text())
    assert set(secret["stringData"]) <= known
    assert all(value == "" for value in secret["stringData"].values()), "the example Secret must hold no values"
    for deployment in workloads():
        spec = deployment["spec"]["template"]["spec"]
        for container in spec["containers"] + spec.get("initContainers", []):
            for variable in container.get("env", []):
                assert variable["name"] in known, variable["name"]
                if any(word in variable["name"] for word in SECRET_WORDS):
                    assert variable["valueFrom"]["secretKeyRef"]["key"] in secret["stringData"], variable["name"]


def test_several_rasa_servers_share_the_tracker_and_lock_stores() -> None:
    endpoints = yaml.safe_load((ROOT / "deploy" / "rasa" / "endpoints.yml").read_text())
    assert endpoints["lock_store"]["type"] == "redis"
    assert endpoints["tracker_store"]["type"] == "bot.privacy.tracker_store.PrivateSQLTrackerStore"
    assert endpoints["tracker_store"]["dialect"] == "postgresql"
    [rasa] = [d for d in workloads() if component(d["spec"]["template"]["spec"]["containers"][0]) == "rasa"]
    assert rasa["spec"]["replicas"] >= 2
    assert "deploy/rasa/endpoints.yml" in rasa["spec"]["template"]["spec"]["containers"][0]["command"]


def test_each_rasa_server_computes_on_as_many_threads_as_the_cpu_it_requests() -> None:
    """Without these torch and TensorFlow start one thread per core of the node in every server on it."""
    [rasa] = [d for d in workloads() if component(d["spec"]["template"]["spec"]["containers"][0]) == "rasa"]
    container = rasa["spec"]["template"]["spec"]["containers"][0]
    cpus = str(container["resources"]["requests"]["cpu"])
    assert {v["name"]: v.get("value") for v in container["env"] if v["name"] in THREAD_VARIABLES} == dict.fromkeys(
        THREAD_VARIABLES, cpus
    )


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return dict(yaml.safe_load(COMPOSE.read_text()))


def compose_rasa_servers(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The compose services that run a Rasa server."""
    return {
        name: service
        for name, service in compose["services"].items()
        if "rasa run" in " ".join(service.get("command", []))
    }


def test_compose_runs_every_part_with_healthchecks_on_real_endpoints(compose) -> None:
    services = compose["services"]
    assert {"postgres", "redis", "api", "actions"} <= set(services)
    paths = {
        "api": api_paths(),
        "actions": action_server_paths(),
        **dict.fromkeys(compose_rasa_servers(compose), RASA_PATHS),
    }
    for name, service in services.items():
        if name == "migrate":
            continue
        assert "healthcheck" in service, name
        urls = re.findall(r"http://127\.0\.0\.1:\d+(/[\w/]*)", " ".join(service["healthcheck"]["test"]))
        if name in paths:
            assert urls and set(urls) <= paths[name], (name, urls)
    assert "--workers" in " ".join(services["api"]["command"])
    for service in compose_rasa_servers(compose).values():
        assert service["command"][service["command"].index("--endpoints") + 1] == "deploy/rasa/endpoints.yml"


def test_compose_gives_the_hub_every_rasa_server_by_name(compose) -> None:
    """Several Rasa services, each named in the API's CA_RASA_URL, each listening where the URL says, and none
    scaled by replicas (copies behind one name would spread connections, not conversations)."""
    servers = compose_rasa_servers(compose)
    assert len(servers) >= 2
    listed = rasa_urls(compose["services"]["api"]["environment"]["CA_RASA_URL"])
    assert sorted(host for host, _ in listed) == sorted(servers)
    for host, port in listed:
        command = servers[host]["command"]
        assert int(command[command.index("--port") + 1]) == port
        assert "replicas" not in servers[host].get("deploy", {})
        environment = servers[host]["environment"]
        assert environment["CA_TRACKER_HOST"] == "postgres" and environment["CA_LOCK_STORE_HOST"] == "redis"
        # the host's cores shared between the servers, not all of them in each (scripts/stack.py)
        assert {environment.get(name) for name in THREAD_VARIABLES} == {"${CA_RASA_THREADS:-1}"}, host


def test_compose_names_only_variables_the_code_reads_and_writes_no_secret(compose) -> None:
    known = known_variables()
    for name in ("api", "migrate", "actions", *compose_rasa_servers(compose)):
        for variable, value in compose["services"][name]["environment"].items():
            assert variable in known, (name, variable)
            if any(word in variable for word in SECRET_WORDS):
                assert "${" in str(value), f"{name}: {variable} must come from the environment, not the file"
    postgres = compose["services"]["postgres"]["environment"]
    assert postgres["POSTGRES_PASSWORD"].startswith("${")


def test_only_the_hub_reaches_rasa_and_only_rasa_reaches_the_action_server() -> None:
    """Rasa's REST webhook takes no token; in the cluster it listens on 0.0.0.0, so any pod could talk to it as
    any conversation id, past the hub's redaction and throttles, unless a NetworkPolicy lets in only the hub."""
    labels = {
        component(c): d["spec"]["template"]["metadata"]["labels"]["app.kubernetes.io/name"]
        for d in workloads()
        for c in d["spec"]["template"]["spec"]["containers"]
    }
    allowed: dict[str, set[tuple[str, int]]] = {}
    for policy in of_kind("NetworkPolicy"):
        spec = policy["spec"]
        assert spec["policyTypes"] == ["Ingress"], policy["metadata"]["name"]
        target = spec["podSelector"]["matchLabels"]["app.kubernetes.io/name"]
        for rule in spec["ingress"]:
            sources = [peer["podSelector"]["matchLabels"]["app.kubernetes.io/name"] for peer in rule["from"]]
            allowed.setdefault(target, set()).update((s, p["port"]) for s in sources for p in rule["ports"])
    assert allowed.get(labels["rasa"]) == {(labels["api"], 5005)}
    assert allowed.get(labels["actions"]) == {(labels["rasa"], 5055)}


# PostgreSQL's default max_connections, less the 3 it keeps for superusers; a Rasa tracker store's SQLAlchemy pool.
POSTGRES_CONNECTIONS = 100 - 3
RASA_TRACKER_CONNECTIONS = 15


def uvicorn_workers(command: list[str]) -> int:
    found = re.search(r"--workers (?:\$\{CA_API_WORKERS:-)?(\d+)", " ".join(command))
    return int(found.group(1)) if found else 1


def env_default(value: str) -> int:
    """The number in "5" or "${NAME:-5}"."""
    found = re.fullmatch(r"(?:\$\{\w+:-)?(\d+)\}?", str(value))
    assert found, value
    return int(found.group(1))


def test_compose_api_workers_and_rasa_servers_fit_postgresqls_connections(compose) -> None:
    """Two API workers of 100 connections each were refused by PostgreSQL under load: residents got "busy"."""
    api = compose["services"]["api"]
    per_worker = env_default(api["environment"]["CA_DATABASE_POOL_SIZE"]) + env_default(
        api["environment"]["CA_DATABASE_MAX_OVERFLOW"]
    )
    rasa = compose_rasa_servers(compose)
    used = uvicorn_workers(api["command"]) * per_worker + len(rasa) * RASA_TRACKER_CONNECTIONS
    assert rasa and used <= POSTGRES_CONNECTIONS, used


def test_k8s_api_replicas_and_rasa_servers_fit_postgresqls_connections() -> None:
    config = of_kind("ConfigMap")[0]["data"]
    per_process = int(config["CA_DATABASE_POOL_SIZE"]) + int(config["CA_DATABASE_MAX_OVERFLOW"])
    used = 0
    for workload in workloads():
        for container in workload["spec"]["template"]["spec"]["containers"]:
            if component(container) == "api":
                used += workload["spec"]["replicas"] * uvicorn_workers(container["command"]) * per_process
            elif component(container) == "rasa":
                used += workload["spec"]["replicas"] * RASA_TRACKER_CONNECTIONS
    assert used <= POSTGRES_CONNECTIONS, used


@pytest.mark.parametrize(("max_connections", "workers", "rasa"), [(100, 2, 2), (100, 4, 2), (100, 8, 4), (300, 3, 3)])
def test_the_production_profile_shares_postgresqls_connections_between_its_workers(
    max_connections: int, workers: int, rasa: int
) -> None:
    from stack import api_pool_sizes

    size, overflow = api_pool_sizes(max_connections, workers, rasa)
    assert size >= 2 and overflow >= 0
    assert workers * (size + overflow) + rasa * RASA_TRACKER_CONNECTIONS <= max_connections - 3
