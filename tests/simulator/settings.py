"""Run-time settings: the answers the docs leave open, and server limits."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Settings(BaseModel):
    """Every field can be set in a seed's ``settings`` and changed at run time (POST /_sim/settings)."""

    model_config = ConfigDict(extra="forbid")

    token_lifetime: int = Field(3600, ge=1, description="Seconds an issued access token stays valid.")
    pc_max_page_size: int = Field(500, ge=1, description="Partner Center: largest page, whatever `size` asks.")
    aps_max_page_size: int = Field(1000, ge=1, description="APS: largest page, whatever `limit()` asks.")
    custom_domains_format: Literal["names", "objects", "collection"] = Field(
        "names",
        description="Shape of GET /v1/customers/{id}/customDomains, which the docs do not show: "
        '`names` = ["a.com"], `objects` = [{"name": "a.com"}], '
        '`collection` = {"totalCount", "items": [{"name"}], "links", "attributes"}.',
    )
    create_user_status: Literal[200, 201] = Field(
        201, description="POST /users: the doc example says 200, the REST reference 201."
    )
    add_domain_status: Literal[200, 201] = Field(
        201, description="POST /verifieddomain: the doc example says 201, the REST reference 200."
    )
    graph_max_page_size: int = Field(
        2, ge=1, description="Graph: largest page, whatever `$top` asks (small, so that clients cross pages)."
    )
    graph_access_assignment_pending_reads: int = Field(
        0, ge=0, description="Graph: reads of a new or changed GDAP access assignment that still see it `pending`."
    )
    gdap_enforce_partner_center: bool = Field(
        False,
        description="Partner Center: App+User calls about a customer need an active GDAP relationship with it "
        "(403 otherwise). Off by default: the documented rule, but the older tests do not seed relationships.",
    )
    bypass_status: Literal[200, 201, 204] = Field(
        200, description="APS bypass_ownership_validation: 200/201 with the resource, 204 without a body."
    )

    def updated(self, changes: dict) -> "Settings":
        """A validated copy with ``changes`` applied."""
        return Settings.model_validate({**self.model_dump(), **changes})
