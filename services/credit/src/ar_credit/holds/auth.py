"""Who may use credit holds: the route dependencies of this package."""

from typing import Annotated

from fastapi import Depends

from ar_shared.auth import Principal, require_scopes

Checker = Annotated[Principal, Depends(require_scopes("credit:check"))]
Manager = Annotated[Principal, Depends(require_scopes("credit:manage"))]
