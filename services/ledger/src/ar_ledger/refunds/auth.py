"""Who may read and change refunds: the route dependencies of this package."""

from typing import Annotated

from fastapi import Depends

from ar_shared.auth import Principal, require_scopes

Reader = Annotated[Principal, Depends(require_scopes("ledger:read"))]
Writer = Annotated[Principal, Depends(require_scopes("ledger:write"))]
