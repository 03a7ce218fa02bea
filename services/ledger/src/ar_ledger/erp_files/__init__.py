"""Open-item files as an ERP exports them (CSV or XLSX): column mappings and the reader that
turns them into items, shared by the ERP reconciliation and the opening-balance load."""
