"""The typed services registry: one service per class, read by class (in routes through `provide`)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient

from core.services import OperatorToken, Services, provide, services_of


@dataclass(frozen=True)
class Greeting:
    text: str


def test_a_service_is_read_by_its_class_and_replaced_only_when_there() -> None:
    services = Services()
    hello = services.add(Greeting("hello"))
    assert services.get(Greeting) is hello
    with pytest.raises(ValueError, match="registered already"):
        services.add(Greeting("again"))
    assert services.replace(Greeting("hi")).text == services.get(Greeting).text == "hi"
    with pytest.raises(LookupError, match="no OperatorToken was registered"):
        services.get(OperatorToken)
    with pytest.raises(LookupError, match="no OperatorToken to replace"):
        services.replace(OperatorToken("op_x"))


def test_routes_get_services_through_provide() -> None:
    app = FastAPI()
    app.state.services = Services()
    app.state.services.add(Greeting("hello"))

    @app.get("/")
    def greet(greeting: Greeting = Depends(provide(Greeting))) -> str:  # noqa: B008
        return greeting.text

    assert TestClient(app).get("/").json() == "hello"
    assert services_of(app).get(Greeting).text == "hello"


def test_an_app_without_services_says_so() -> None:
    with pytest.raises(LookupError, match="create_app"):
        services_of(FastAPI())


def test_the_operator_token_never_shows_in_a_repr() -> None:
    assert "op_secret" not in repr(OperatorToken("op_secret"))
