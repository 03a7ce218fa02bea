"""SQL that gives each service its own schema, owner role and least-privilege runtime role.

`python -m ar_shared.provisioning DATABASE` prints it (deploy/provision.sh pipes it to psql);
the testcontainers fixtures execute the same statements.
Roles: ``ar_<service>_owner`` owns the schema and runs migrations; ``ar_<service>_app`` is what
the running service logs in as (DML on its own schema only). Development passwords equal the
role name; real deployments set their own out of band.
"""

from __future__ import annotations

import sys

SERVICES = ("ledger", "credit", "collections", "notifications")


def provisioning_sql(database: str, services: tuple[str, ...] = SERVICES) -> list[str]:
    statements = [
        f'REVOKE ALL ON DATABASE "{database}" FROM PUBLIC',
        "REVOKE ALL ON SCHEMA public FROM PUBLIC",
    ]
    for service in services:
        owner, app = f"ar_{service}_owner", f"ar_{service}_app"
        statements += [
            f"""DO $$ BEGIN
                IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{owner}') THEN
                    CREATE ROLE {owner} LOGIN PASSWORD '{owner}';
                END IF;
                IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{app}') THEN
                    CREATE ROLE {app} LOGIN PASSWORD '{app}';
                END IF;
            END $$""",  # noqa: S608 - role names are our own constants
            f'GRANT CONNECT, TEMPORARY ON DATABASE "{database}" TO {owner}, {app}',
            f"CREATE SCHEMA IF NOT EXISTS {service} AUTHORIZATION {owner}",
            f"REVOKE ALL ON SCHEMA {service} FROM PUBLIC",
            f"GRANT USAGE ON SCHEMA {service} TO {app}",
            # tables the owner creates later are usable by the app role, and only DML
            f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA {service} "
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {app}",
            f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA {service} "
            f"GRANT USAGE, SELECT ON SEQUENCES TO {app}",
        ]
    return statements


def main() -> None:
    database = sys.argv[1] if len(sys.argv) > 1 else "ar"
    for statement in provisioning_sql(database):
        sys.stdout.write(statement.strip() + ";\n")


if __name__ == "__main__":
    main()
