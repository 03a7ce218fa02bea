"""Who may use the credit check: the route dependencies of this package."""

from typing import Annotated

from fastapi import Depends

from ar_shared.auth import Principal, require_scopes

CHECK_SCOPE = "credit:check"

Checker = Annotated[Principal, Depends(require_scopes(CHECK_SCOPE))]
