"""The billing terms of recently invoiced customers, remembered by this process.

Issuing an invoice needs the customer's currency, payment terms and business entity before it
writes. Read under a lock, they cost a round trip per invoice; remembered, they cost nothing,
and they can never be applied stale: the statement that writes the invoice checks the
customer's version and writes nothing if the customer changed (see `InvoiceRepository.add_issued`).
"""

from __future__ import annotations

import uuid
from collections import OrderedDict

from ar_ledger.invoices.repository import BillingTerms


class BillingTermsCache:
    def __init__(self, max_customers: int = 10_000) -> None:
        self._max = max_customers
        self._by_key: OrderedDict[uuid.UUID | str, BillingTerms] = OrderedDict()

    def get(self, customer_id: uuid.UUID | None, external_id: str | None) -> BillingTerms | None:
        key = customer_id if customer_id is not None else external_id
        if key is None or key not in self._by_key:
            return None
        self._by_key.move_to_end(key)
        return self._by_key[key]

    def remember(self, terms: BillingTerms) -> None:
        for key in (terms.id, terms.external_id):
            self._by_key[key] = terms
            self._by_key.move_to_end(key)
        while len(self._by_key) > 2 * self._max:
            self._by_key.popitem(last=False)

    def forget(self, terms: BillingTerms) -> None:
        for key in (terms.id, terms.external_id):
            if self._by_key.get(key) == terms:
                del self._by_key[key]
