"""Who may read letters: the route dependencies of this package."""

from typing import Annotated

from fastapi import Depends

from ar_shared.auth import Principal, require_scopes

# a letter quotes a customer's open items and amounts: read under the delivery log's scope
Reader = Annotated[Principal, Depends(require_scopes("notifications:manage"))]
