"""The base of every answer model: frozen, and tolerant of fields added later."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Answer(BaseModel):
    # extra="allow": a newer server's extra fields stay readable (model_extra) instead of
    # breaking an older client; the OpenAPI test keeps the declared fields complete.
    model_config = ConfigDict(extra="allow", frozen=True)


class Request(BaseModel):
    # extra="allow": Run takes fields this package does not name (level 2/3 data, ...).
    model_config = ConfigDict(extra="allow")

    def wire(self) -> dict[str, object]:
        """The JSON body: unset fields left out, amounts as dollar strings."""
        return self.model_dump(mode="json", exclude_none=True)
