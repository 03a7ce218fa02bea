"""Credit memos: standalone or against one invoice, applied like payments."""
