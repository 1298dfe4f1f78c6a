"""What every domain's HTTP request models share."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Strict(BaseModel):
    """A request body: unknown fields are refused, and surrounding whitespace is stripped from strings."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
