"""Who may use bounce reports: the route dependencies of this package."""

from typing import Annotated

from fastapi import Depends

from ar_shared.auth import Principal, require_scopes

Manager = Annotated[Principal, Depends(require_scopes("notifications:manage"))]
