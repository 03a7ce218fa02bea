"""Write-offs: amounts of an invoice declared uncollectable, with a reason code."""
