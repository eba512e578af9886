"""Shorthand the migrations share. Most columns are NOT NULL, and every table from revision 0002 on names
its primary key `pk_<table>`; spelling both out column by column buried what each table holds.

A helper may gain options, but what it emits must never change: released migrations call it, and a
database upgraded today has to end up with the schema one upgraded earlier got.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

import sqlalchemy as sa
from alembic import op


def columns(types: Mapping[str, Any], *, nullable: Collection[str] = (),
            defaults: Mapping[str, Any] | None = None) -> list[sa.Column[Any]]:
    """A column per entry, in the order given: NOT NULL unless named in `nullable`; `defaults` gives some a
    server default."""
    defaults = defaults or {}
    return [sa.Column(name, type_, nullable=name in nullable, server_default=defaults.get(name))
            for name, type_ in types.items()]


def create_table(name: str, *items: sa.schema.SchemaItem, primary_key: str | tuple[str, ...] = "id") -> sa.Table:
    """`op.create_table` with its primary key named `pk_<table>` (the DDL lists it first wherever it is given)."""
    keys = (primary_key,) if isinstance(primary_key, str) else primary_key
    return op.create_table(name, *items, sa.PrimaryKeyConstraint(*keys, name=f"pk_{name}"))
