"""API shapes of a customer."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ar_ledger.models import Customer as CustomerRow
from ar_shared.inputs import EmailAddress, Identifier, Text, TimeZone
from ar_shared.money import currency_exponent


class CustomerUpsert(BaseModel):
    """What the ERP sends for a customer; the external id is in the path."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "name": "Acme Industrial GmbH",
                    "currency": "EUR",
                    "payment_terms_days": 30,
                    "business_entity": "DE01",
                    "sales_rep": "maria.keller@example.com",
                    "contact_email": "ap@acme.example",
                    "time_zone": "Europe/Berlin",
                }
            ]
        },
    )

    name: Text = Field(min_length=1, max_length=300)
    currency: Identifier = Field(
        description="ISO 4217 code every document of this customer is in", examples=["EUR"]
    )
    payment_terms_days: int = Field(ge=0, le=3650, description="Net days: due date = issue date + terms")
    business_entity: Identifier = Field(
        min_length=1, max_length=50, description="The company code that sells"
    )
    sales_rep: Identifier | None = Field(default=None, max_length=300, description="Told about credit holds")
    contact_email: EmailAddress | None = None
    time_zone: TimeZone = Field(default="UTC", description="IANA zone of the customer, for contact hours")

    @field_validator("currency")
    @classmethod
    def _known_currency(cls, value: str) -> str:
        value = value.upper()
        currency_exponent(value)  # raises for unknown codes
        return value


class Customer(BaseModel):
    id: uuid.UUID
    external_id: str
    name: str
    currency: str
    payment_terms_days: int
    business_entity: str
    sales_rep: str | None
    contact_email: str | None
    time_zone: str
    version: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, row: CustomerRow) -> Customer:
        return cls(
            id=row.id,
            external_id=row.external_id,
            name=row.name,
            currency=row.currency,
            payment_terms_days=row.payment_terms_days,
            business_entity=row.business_entity,
            sales_rep=row.sales_rep,
            contact_email=row.contact_email,
            time_zone=row.time_zone,
            version=row.version,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )
