"""Who may read and change the past-due sweep: the route dependencies of this package."""

from typing import Annotated

from fastapi import Depends

from ar_shared.auth import Principal, require_scopes

Writer = Annotated[Principal, Depends(require_scopes("ledger:write"))]
