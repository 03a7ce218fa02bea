"""Who may read and set business dates: the route dependencies of this package."""

from typing import Annotated

from fastapi import Depends

from ar_shared.auth import Principal, require_scopes

Reader = Annotated[Principal, Depends(require_scopes("ledger:read"))]
Admin = Annotated[Principal, Depends(require_scopes("admin"))]
