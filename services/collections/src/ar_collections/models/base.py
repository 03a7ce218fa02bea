"""The collections schema's metadata, declarative base and plumbing tables."""

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from ar_shared.models import NAMING_CONVENTION
from ar_shared.plumbing import add_plumbing_tables

SCHEMA = "collections"
metadata = MetaData(schema=SCHEMA, naming_convention=NAMING_CONVENTION)
plumbing = add_plumbing_tables(metadata)


class Base(DeclarativeBase):
    metadata = metadata
