"""Domain errors carry their HTTP answer: one handler answers them all, and routers do not catch them."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

import api
from api.errors import DomainError, install_domain_errors
from api.settings import ROOT


def domain_errors() -> list[type[DomainError]]:
    """Every DomainError subclass the API declares (its modules imported, so none is missed)."""
    for module in pkgutil.walk_packages(api.__path__, "api."):
        if ".migrations" not in module.name and not module.name.endswith("__main__"):
            importlib.import_module(module.name)
    found: list[type[DomainError]] = []
    pending = [DomainError]
    while pending:
        for subclass in pending.pop().__subclasses__():
            found.append(subclass)
            pending.append(subclass)
    return found


def test_every_domain_error_says_its_status_and_sentence() -> None:
    errors = domain_errors()
    assert len(errors) >= 12
    for error in errors:
        assert 400 <= error.status_code < 500, error
        assert error.detail and error.detail != DomainError.detail, error
        assert inspect.getdoc(error), error


@pytest.mark.parametrize("error", domain_errors(), ids=lambda error: error.__name__)
def test_the_one_handler_answers_each_with_its_own_status_and_sentence(error: type[DomainError]) -> None:
    app = FastAPI()
    install_domain_errors(app)

    @app.get("/refused")
    def refused() -> None:
        raise error()

    with TestClient(app) as client:
        response = client.get("/refused")
    assert (response.status_code, response.json()) == (error.status_code, {"detail": error.detail})


def test_routers_delegate_and_leave_domain_errors_to_the_handler() -> None:
    names = {error.__name__ for error in domain_errors()}
    for router in sorted((ROOT / "api").glob("*/router.py")):
        for node in ast.walk(ast.parse(router.read_text())):
            if isinstance(node, ast.ExceptHandler) and node.type is not None:
                caught = ast.unparse(node.type).split(".")[-1]
                assert caught not in names, f"{router.relative_to(ROOT)} catches {caught}: raise it and let it answer"
